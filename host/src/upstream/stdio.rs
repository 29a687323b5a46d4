//! stdio servers: starting the child process, speaking newline-delimited
//! JSON-RPC over its stdin/stdout, and stopping and reaping it.
//!
//! # Environment
//!
//! The child does **not** inherit codemode's whole environment, which may
//! hold other servers' credentials: like the official TypeScript and Python
//! MCP SDKs (and so Claude Desktop), it gets a short list of variables
//! needed to find and run programs ([`INHERITED`]) plus the entry's `env`,
//! which wins on conflict. A server that needs more (a proxy, a locale)
//! names it in `env`, e.g. `"HTTPS_PROXY": "${HTTPS_PROXY}"`.
//!
//! # Strict stdout
//!
//! The MCP spec says a stdio server must write nothing but MCP messages to
//! stdout. A line that is not JSON, a JSON value that is not a message the
//! client understands, or a line longer than [`MAX_LINE`] bytes ends the
//! connection with a protocol fault (recorded for the error message) rather
//! than being skipped: skipping would leave the call it belonged to waiting
//! for its timeout. Notifications with unknown methods are skipped, as the
//! SDK does. Lines are read with a bounded buffer, so nothing on stdout can
//! make codemode buffer more than [`MAX_LINE`] bytes.
//!
//! # Lifetime
//!
//! A reaper task owns the child and waits for it; dropping the
//! [`ChildProcess`] (or calling [`ChildProcess::kill`]) kills and reaps it.
//! stderr is drained by [`StderrTail`]. This module never logs a line the
//! child wrote.

use std::io;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::RoleClient;
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{ChildStdin, ChildStdout, Command};
use tokio::sync::{oneshot, watch};

use super::redact::Redactor;
use super::stderr::StderrTail;

/// The longest line accepted on stdout: one JSON-RPC message. Matches the
/// SDK's own limit, so a result that fits over HTTP fits over stdio.
const MAX_LINE: usize = 16 * 1024 * 1024;

/// Variables passed through from codemode's environment (the MCP SDKs'
/// default set, plus the temporary folder and locale).
#[cfg(not(windows))]
const INHERITED: &[&str] = &["HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "TMPDIR", "LANG", "LC_ALL"];

/// Variables passed through from codemode's environment (the MCP SDKs'
/// default set).
#[cfg(windows)]
const INHERITED: &[&str] = &[
    "APPDATA",
    "HOMEDRIVE",
    "HOMEPATH",
    "LOCALAPPDATA",
    "PATH",
    "PROCESSOR_ARCHITECTURE",
    "SYSTEMDRIVE",
    "SYSTEMROOT",
    "TEMP",
    "USERNAME",
    "USERPROFILE",
    "PROGRAMFILES",
];

/// How many characters of an offending stdout line an error quotes.
const QUOTED: usize = 80;

/// What went wrong on the child's stdout, once it has gone wrong; shared by
/// the transport (which records it) and the [`ChildProcess`] (which reports
/// it).
type Fault = Arc<Mutex<Option<String>>>;

/// A running child: its exit status, stderr tail and protocol fault.
pub(super) struct ChildProcess {
    exit: watch::Receiver<Option<String>>,
    kill: Mutex<Option<oneshot::Sender<()>>>,
    stderr: Arc<StderrTail>,
    fault: Fault,
}

/// The MCP transport over a child's stdin/stdout.
pub(super) struct StdioTransport {
    stdout: BufReader<ChildStdout>,
    line: Vec<u8>,
    stdin: Arc<tokio::sync::Mutex<Option<ChildStdin>>>,
    fault: Fault,
    redactor: Arc<Redactor>,
}

/// Starts `command` with `args`, the inherited variables plus `env`, in
/// `cwd`, with all three standard streams piped.
pub(super) fn spawn(
    command: &str,
    args: &[String],
    env: &[(String, String)],
    cwd: Option<&Path>,
    redactor: Arc<Redactor>,
) -> io::Result<(StdioTransport, ChildProcess)> {
    let mut cmd = Command::new(command);
    cmd.args(args)
        .env_clear()
        .envs(INHERITED.iter().filter_map(|name| Some((name, std::env::var_os(name)?))))
        .envs(env.iter().map(|(name, value)| (name, value)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(cwd) = cwd {
        cmd.current_dir(cwd);
    }
    let mut child = cmd.spawn()?;
    let (Some(stdin), Some(stdout), Some(stderr)) = (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(io::Error::other("the child's standard streams were not piped"));
    };

    let (kill, killed) = oneshot::channel::<()>();
    let (exited, exit) = watch::channel(None);
    tokio::spawn(async move {
        // A dropped sender kills too: dropping the ChildProcess must not
        // leave the child running.
        let status = tokio::select! {
            status = child.wait() => status,
            _ = killed => {
                let _ = child.start_kill();
                child.wait().await
            }
        };
        let status = status.map_or_else(|err| format!("status unknown: {err}"), |status| status.to_string());
        exited.send_replace(Some(status));
    });

    let fault = Fault::default();
    let transport = StdioTransport {
        stdout: BufReader::new(stdout),
        line: Vec::new(),
        stdin: Arc::new(tokio::sync::Mutex::new(Some(stdin))),
        fault: Arc::clone(&fault),
        redactor,
    };
    let child = ChildProcess { exit, kill: Mutex::new(Some(kill)), stderr: StderrTail::drain(stderr), fault };
    Ok((transport, child))
}

impl ChildProcess {
    /// Kills the child (SIGKILL); the reaper task reaps it.
    pub(super) fn kill(&self) {
        let kill = self.kill.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
        if let Some(kill) = kill {
            let _ = kill.send(());
        }
    }

    /// Waits up to `grace` for the child to exit on its own (its stdin is
    /// closed by then), then kills it and waits for the reaper.
    pub(super) async fn stop(&self, grace: Duration) {
        if self.exited(grace).await.is_none() {
            self.kill();
            self.exited(Duration::from_secs(5)).await;
        }
    }

    /// The exit status, waiting at most `limit` for it.
    async fn exited(&self, limit: Duration) -> Option<String> {
        let mut exit = self.exit.clone();
        let status = tokio::time::timeout(limit, exit.wait_for(Option::is_some)).await;
        status.ok()?.ok()?.clone()
    }

    /// Why the connection ended, for an error message: the protocol fault if
    /// there was one (`true`), else the exit status; with stderr's end.
    pub(super) async fn death(&self, redactor: &Redactor) -> (bool, String) {
        let fault = self.fault.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
        let mut message = match &fault {
            Some(fault) => fault.clone(),
            None => match self.exited(Duration::from_secs(1)).await {
                Some(status) => format!("the process exited ({status})"),
                None => "the process closed its stdout".to_owned(),
            },
        };
        message.push_str(&self.stderr_excerpt(redactor).await);
        (fault.is_some(), message)
    }

    /// `; its stderr ends with:` and the end of its stderr, once the child
    /// closed it (waiting half a second at most); empty if it wrote none.
    pub(super) async fn stderr_excerpt(&self, redactor: &Redactor) -> String {
        self.stderr.closed(Duration::from_millis(500)).await;
        match self.stderr.excerpt(redactor) {
            Some(stderr) => format!("; its stderr ends with:\n{stderr}"),
            None => String::new(),
        }
    }
}

/// What one bounded line read found.
enum Line {
    Complete,
    TooLong,
    Eof,
}

impl StdioTransport {
    /// Reads up to and including the next newline into `self.line`, never
    /// holding more than [`MAX_LINE`] bytes. Cancel-safe: the copy into
    /// `self.line` and the matching `consume` happen with no await between
    /// them, so a dropped read resumes where it stopped.
    async fn read_line(&mut self) -> io::Result<Line> {
        loop {
            let available = self.stdout.fill_buf().await?;
            if available.is_empty() {
                return Ok(Line::Eof);
            }
            let newline = available.iter().position(|&byte| byte == b'\n');
            let take = newline.map_or(available.len(), |at| at + 1);
            if self.line.len() + take > MAX_LINE {
                return Ok(Line::TooLong);
            }
            self.line.extend_from_slice(&available[..take]);
            self.stdout.consume(take);
            if newline.is_some() {
                return Ok(Line::Complete);
            }
        }
    }

    /// Records why the connection ends; the first fault wins.
    fn fail(&self, fault: String) {
        self.fault.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get_or_insert(fault);
    }

    /// The start of `line`, quoted and redacted.
    fn quote(&self, line: &[u8]) -> String {
        let text = String::from_utf8_lossy(line);
        let start: String = text.chars().take(QUOTED).collect();
        let cut = if start.len() < text.len() { "..." } else { "" };
        format!("{:?}{cut}", self.redactor.redact_excerpt(&start))
    }

    /// One line as a message, `None` for a line to skip, or the fault.
    fn parse(&self, line: &[u8]) -> Result<Option<RxJsonRpcMessage<RoleClient>>, String> {
        const RULE: &str = "a stdio MCP server must write only MCP messages to stdout (logs belong on stderr)";
        if let Ok(message) = serde_json::from_slice(line) {
            return Ok(Some(message));
        }
        match serde_json::from_slice::<Value>(line) {
            Err(_) => Err(format!("the server wrote a line that is not JSON to stdout: {}; {RULE}", self.quote(line))),
            Ok(Value::Object(object))
                if object.get("method").is_some_and(Value::is_string) && !object.contains_key("id") =>
            {
                tracing::debug!("skipping a notification the client does not know");
                Ok(None)
            }
            Ok(_) => Err(format!(
                "the server wrote JSON to stdout that is not a JSON-RPC message the client understands: {}",
                self.quote(line)
            )),
        }
    }
}

impl Transport<RoleClient> for StdioTransport {
    type Error = io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleClient>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let stdin = Arc::clone(&self.stdin);
        let line = serde_json::to_vec(&item);
        async move {
            let mut line = line.map_err(io::Error::other)?;
            line.push(b'\n');
            let mut stdin = stdin.lock().await;
            let stdin = stdin.as_mut().ok_or_else(|| io::Error::new(io::ErrorKind::NotConnected, "stdin is closed"))?;
            stdin.write_all(&line).await?;
            stdin.flush().await
        }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleClient>> {
        loop {
            match self.read_line().await {
                Ok(Line::Complete) => {}
                Ok(Line::TooLong) => {
                    self.fail(format!("the server wrote a line longer than {MAX_LINE} bytes to stdout"));
                    return None;
                }
                Ok(Line::Eof) => return None,
                Err(err) => {
                    self.fail(format!("reading the server's stdout failed: {err}"));
                    return None;
                }
            }
            let line = std::mem::take(&mut self.line);
            let trimmed = line.strip_suffix(b"\n").unwrap_or(&line);
            let trimmed = trimmed.strip_suffix(b"\r").unwrap_or(trimmed);
            let trimmed = trimmed.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(trimmed);
            if trimmed.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match self.parse(trimmed) {
                Ok(Some(message)) => return Some(message),
                Ok(None) => {}
                Err(fault) => {
                    self.fail(fault);
                    return None;
                }
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        // Closing stdin is how a stdio server is asked to exit.
        drop(self.stdin.lock().await.take());
        Ok(())
    }
}
