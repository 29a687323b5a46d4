//! Keeping one server up: handing out its live session, noticing that it
//! died, and restarting it on the next call, with backoff.
//!
//! # Restart schedule
//!
//! Restarts happen only when a call needs the server, never in the
//! background. Each death (a crash, a protocol fault, a lost connection) and
//! each failed restart counts as one consecutive failure; after the `n`-th,
//! the next restart may start after:
//!
//! | n     | 1 | 2      | 3      | 4   | 5   | ... | 9 and on |
//! |-------|---|--------|--------|-----|-----|-----|----------|
//! | delay | 0 | 250 ms | 500 ms | 1 s | 2 s | ... | 30 s     |
//!
//! that is, the first restart is immediate (a server that crashed once is
//! back for the very next call) and later ones double from
//! [`BACKOFF_START`] up to [`BACKOFF_CAP`]. Until then, calls fail at once
//! with `Unavailable`, saying why the server is down and when it retries.
//! A session that stayed up for [`STABLE_AFTER`] wipes the count, so a
//! server that crashes now and then always gets an immediate restart,
//! while one that dies right after every start is retried ever more
//! slowly instead of in a hot loop.
//!
//! A server that could not be started at all is in the same state as one
//! that died once: down, with its start error as the reason, so the first
//! call that needs it tries again at once and later tries back off. Until a
//! start succeeds, each failure is also recorded in the server's tool set,
//! which is how the catalog says that the server is unavailable and why.
//!
//! This module never spawns tasks and never restarts a stopped server.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use super::Shared;
use super::error::{UpstreamError, UpstreamErrorKind};
use super::session::Session;

/// The delay before the second consecutive restart; later ones double it.
pub const BACKOFF_START: Duration = Duration::from_millis(250);

/// The longest delay between restarts.
pub const BACKOFF_CAP: Duration = Duration::from_secs(30);

/// A session that lived this long resets the failure count when it dies.
pub const STABLE_AFTER: Duration = Duration::from_secs(10);

/// The state of one server's connection.
pub(super) struct Supervisor {
    state: Mutex<State>,
}

enum State {
    /// Connected; `failures` counts the consecutive failures before this
    /// session started.
    Up { session: Arc<Session>, failures: u32 },
    /// Dead; the next restart may start at `retry_at`.
    Down { failures: u32, retry_at: Instant, reason: UpstreamError },
    /// Shut down for good.
    Stopped,
}

impl Supervisor {
    /// A supervisor of the already open `session`.
    pub(super) fn new(session: Arc<Session>) -> Self {
        Supervisor { state: Mutex::new(State::Up { session, failures: 0 }) }
    }

    /// A supervisor of a server whose start failed with `reason`.
    pub(super) fn failed(reason: UpstreamError) -> Self {
        Supervisor { state: Mutex::new(State::Down { failures: 1, retry_at: Instant::now() + delay(1), reason }) }
    }

    /// The live session, restarting the server if it is down and its
    /// backoff has passed.
    ///
    /// # Errors
    ///
    /// `Unavailable` while backing off or after shutdown; the restart's own
    /// error (`Spawn`, `Connect`) if restarting fails.
    pub(super) async fn session(&self, shared: &Shared) -> Result<Arc<Session>, UpstreamError> {
        let mut state = self.state.lock().await;
        if let State::Up { session, failures } = &*state {
            if session.is_alive() {
                return Ok(Arc::clone(session));
            }
            // It died between calls.
            let (session, failures) = (Arc::clone(session), *failures);
            let reason = session.death(shared).await;
            *state = down(&session, failures, reason);
        }
        let failures = match &*state {
            State::Up { .. } | State::Stopped => return Err(stopped(shared)),
            State::Down { retry_at, reason, .. } if Instant::now() < *retry_at => {
                let wait = retry_at.saturating_duration_since(Instant::now()).as_secs_f64();
                let message = match shared.tools.unstarted() {
                    Some(_) => {
                        format!("the server could not be started; it is retried in {wait:.1} s. {}", reason.message())
                    }
                    None => format!(
                        "the server is down and restarts in {wait:.1} s; it went down because: {}",
                        reason.message()
                    ),
                };
                return Err(UpstreamError::new(UpstreamErrorKind::Unavailable, &shared.name, message));
            }
            State::Down { failures, .. } => *failures,
        };
        tracing::info!(server = %shared.name, failures, "restarting the server");
        match Session::open(shared).await {
            Ok(session) => {
                *state = State::Up { session: Arc::clone(&session), failures };
                Ok(session)
            }
            Err(err) => {
                shared.tools.start_failed(&err);
                let failures = failures + 1;
                let retry_at = Instant::now() + delay(failures);
                *state = State::Down { failures, retry_at, reason: err.clone() };
                Err(err)
            }
        }
    }

    /// Records that `session` died with `reason` while a call was using it,
    /// and returns the error that call reports.
    pub(super) async fn died(&self, shared: &Shared, session: &Arc<Session>, reason: UpstreamError) -> UpstreamError {
        let mut state = self.state.lock().await;
        match &*state {
            State::Stopped => return stopped(shared),
            State::Up { session: current, failures } if Arc::ptr_eq(current, session) => {
                tracing::warn!(server = %shared.name, "the server went down: {}", reason.message());
                *state = down(session, *failures, reason.clone());
            }
            // Another call already noticed, or the server was restarted.
            State::Up { .. } | State::Down { .. } => {}
        }
        reason
    }

    /// Stops the server for good: closes its session (see
    /// [`Session::close`]); later calls fail with `Unavailable`.
    pub(super) async fn stop(&self) {
        let previous = std::mem::replace(&mut *self.state.lock().await, State::Stopped);
        if let State::Up { session, .. } = previous {
            session.close().await;
        }
    }
}

/// The state after `session`, started after `failures` consecutive
/// failures, died with `reason`.
fn down(session: &Session, failures: u32, reason: UpstreamError) -> State {
    session.abort();
    let failures = if session.started().elapsed() >= STABLE_AFTER { 1 } else { failures + 1 };
    State::Down { failures, retry_at: Instant::now() + delay(failures), reason }
}

/// How long to wait before restarting after `failures` consecutive
/// failures (see the module docs).
fn delay(failures: u32) -> Duration {
    match failures {
        0 | 1 => Duration::ZERO,
        n => BACKOFF_START.saturating_mul(1 << (n - 2).min(16)).min(BACKOFF_CAP),
    }
}

fn stopped(shared: &Shared) -> UpstreamError {
    UpstreamError::new(UpstreamErrorKind::Unavailable, &shared.name, "the server has been shut down".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_the_cap() {
        let delays: Vec<u64> = (1..=11).map(|n| delay(n).as_millis() as u64).collect();
        assert_eq!(delays, [0, 250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
        assert_eq!(delay(u32::MAX), BACKOFF_CAP);
    }
}
