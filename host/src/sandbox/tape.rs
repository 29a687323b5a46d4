//! The journal at the sandbox's edge: records what enters the guest, and
//! answers from a [`Journal`] instead of the world when replaying or
//! resuming.
//!
//! One [`Tape`] per execution is shared by the tool bridge and the two WASI
//! clocks the guest imports ([`TapeClock`]); the random seed is fixed before
//! the store exists. Where the inputs come from:
//!
//! - live: the clocks, the system's random numbers and the tools;
//! - replay: everything from the journal, strictly. A call or wait that is
//!   not the journal's next one stops the execution with
//!   `replay_diverged` ([`Diverged`], raised as a trap). A clock read past
//!   the recorded ones reads the live clock (the monotonic one continuing
//!   from the last recorded reading, so it never goes back);
//! - continue (after a pause): as replay, and where the journal ends the
//!   execution goes on live. The answers the journal ends with are handed
//!   to the bridge, which makes (or declines) the calls that asked them;
//! - resume: live, except that each call matching the journal's next
//!   recorded call (same tool, same arguments) gets its recorded result
//!   without reaching the tool. A recorded call that failed, or had not
//!   completed, is made again; the first call that differs ends the resume,
//!   and every later call is live.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use wasmtime_wasi::{HostMonotonicClock, HostWallClock};

use crate::input::Answer;
use crate::journal::{Arguments, Completed, Event, Journal, Outcome};

/// Where an execution's inputs come from, and whether they are recorded.
#[derive(Default, Clone)]
pub(crate) struct TapeMode {
    /// Keep a journal of the execution.
    pub record: bool,
    /// Answer everything from this journal.
    pub replay: Option<Arc<Journal>>,
    /// Answer the calls that match this journal's from it.
    pub resume: Option<Arc<Journal>>,
    /// Replay this journal, then go on live.
    pub continue_from: Option<Arc<Journal>>,
    /// Who answers the program's questions (not the tape's, but an input
    /// all the same).
    pub asker: Option<Arc<dyn crate::input::Asker>>,
}

/// A replay that met a call or wait the journal does not have there.
#[derive(Debug)]
pub(crate) struct Diverged(pub String);

impl fmt::Display for Diverged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Diverged {}

/// What the tape says about a wait of the program.
pub(crate) struct WaitAnswer {
    /// Answers to questions asked before a pause, with whether the call
    /// must now be made (the journal does not have its outcome).
    pub answered: Vec<(u32, Answer, bool)>,
    /// The recorded completions, when replaying; `None`: wait live.
    pub recorded: Option<Vec<Completed>>,
}

/// What the tape says about a call the program starts.
pub(crate) enum Reply {
    /// Make the call.
    Live,
    /// The journal has its outcome; nothing is called.
    Recorded(Outcome),
    /// Replay: the journal has the call, completing at a later wait.
    Later,
}

/// The journal of one execution, being written and (replay, resume) read.
pub(crate) struct Tape {
    started: Instant,
    state: Mutex<State>,
}

struct State {
    recording: Option<Journal>,
    replay: Option<Cursor>,
    /// The recorded calls, each with its outcome (`None`: it had not
    /// completed when the execution ended).
    resume: VecDeque<(Arc<str>, Arguments, Option<Outcome>)>,
    /// Calls answered from a journal.
    answered: u32,
    /// Added to live monotonic readings once a replay's run out, so that
    /// the clock continues from the last recorded reading.
    monotonic_offset: i128,
    last_monotonic: u64,
}

struct Cursor {
    journal: Arc<Journal>,
    wall: usize,
    monotonic: usize,
    event: usize,
    /// Where the journal ends, go on live instead of diverging.
    then_live: bool,
}

impl Tape {
    /// A tape for `mode`. Returns the random seed the execution must use.
    /// The journal it writes has no tools: [`Journal::with_tools`] adds
    /// them for a file.
    pub(crate) fn new(mode: &TapeMode) -> (Arc<Self>, u128) {
        let replay = match (&mode.replay, &mode.continue_from) {
            (Some(journal), _) => Some((journal.clone(), false)),
            (None, Some(journal)) => Some((journal.clone(), true)),
            (None, None) => None,
        };
        let seed = match &replay {
            Some((journal, _)) => journal.seed,
            None => random_seed(),
        };
        let recording = mode.record.then(|| Journal {
            seed,
            tools: Vec::new(),
            wall_clock: Vec::new(),
            monotonic_clock: Vec::new(),
            events: Vec::new(),
        });
        let resume = match &mode.resume {
            Some(journal) => journal
                .calls()
                .into_iter()
                .map(|(tool, arguments, outcome)| (tool.into(), arguments.clone(), outcome.cloned()))
                .collect(),
            None => VecDeque::new(),
        };
        let replay = replay.map(|(journal, then_live)| Cursor { journal, wall: 0, monotonic: 0, event: 0, then_live });
        let state = State { recording, replay, resume, answered: 0, monotonic_offset: 0, last_monotonic: 0 };
        (Arc::new(Self { started: Instant::now(), state: Mutex::new(state) }), seed)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The program starts a call to `tool` with `arguments`.
    pub(crate) fn on_start(&self, tool: &str, arguments: &Arguments) -> Result<Reply, Diverged> {
        let mut state = self.state();
        if let Some(cursor) = &mut state.replay
            && cursor.then_live
            && cursor.event == cursor.journal.events.len()
        {
            state.replay = None;
        }
        if let Some(cursor) = &mut state.replay {
            let answer = match cursor.journal.events.get(cursor.event) {
                Some(Event::Call { tool: recorded, arguments: recorded_arguments, outcome, .. })
                    if &**recorded == tool && recorded_arguments == arguments =>
                {
                    outcome.clone().map_or(Reply::Later, Reply::Recorded)
                }
                recorded => {
                    return Err(Diverged(format!(
                        "replay diverged: the program calls {} where the journal has {}",
                        describe_call(tool, arguments),
                        describe(recorded)
                    )));
                }
            };
            cursor.event += 1;
            state.answered += 1;
            return Ok(answer);
        }
        let Some((recorded, recorded_arguments, _)) = state.resume.front() else {
            return Ok(Reply::Live);
        };
        if &**recorded != tool || recorded_arguments != arguments {
            state.resume.clear();
            return Ok(Reply::Live);
        }
        // A call that failed, or had not completed, is made again.
        match state.resume.pop_front() {
            Some((_, _, Some(outcome))) if outcome.is_result() => {
                state.answered += 1;
                Ok(Reply::Recorded(outcome))
            }
            _ => Ok(Reply::Live),
        }
    }

    /// The program waits: the answers given at a pause, and the recorded
    /// completions when replaying.
    pub(crate) fn on_wait(&self) -> Result<WaitAnswer, Diverged> {
        let mut state = self.state();
        let mut answer = WaitAnswer { answered: Vec::new(), recorded: None };
        let Some(cursor) = &mut state.replay else {
            return Ok(answer);
        };
        let journal = cursor.journal.clone();
        let events = &journal.events;
        while let Some(Event::Answered { id, answer: given }) = events.get(cursor.event) {
            cursor.event += 1;
            let completes_later = events[cursor.event..]
                .iter()
                .any(|event| matches!(event, Event::Wait { completed } if completed.iter().any(|done| done.id == *id)));
            // A strict replay calls no tool: an answered call that never
            // completed in the journal stays in flight there.
            answer.answered.push((*id, given.clone(), cursor.then_live && !completes_later));
        }
        match events.get(cursor.event) {
            Some(Event::Wait { completed }) => {
                answer.recorded = Some(completed.clone());
                cursor.event += 1;
            }
            None if cursor.then_live => state.replay = None,
            recorded => {
                return Err(Diverged(format!(
                    "replay diverged: the program waits for its calls in flight where the journal has {}",
                    describe(recorded)
                )));
            }
        }
        Ok(answer)
    }

    /// Records the start of call `id`, with its outcome if it had one at once.
    pub(crate) fn record_start(&self, id: u32, tool: Arc<str>, arguments: Arguments, outcome: Option<Outcome>) {
        if let Some(journal) = &mut self.state().recording {
            journal.events.push(Event::Call { id, tool, arguments, outcome });
        }
    }

    /// Records the answer to call `id`'s question.
    pub(crate) fn record_answered(&self, id: u32, answer: Answer) {
        if let Some(journal) = &mut self.state().recording {
            journal.events.push(Event::Answered { id, answer });
        }
    }

    /// Records what a wait handed back.
    pub(crate) fn record_wait(&self, completed: Vec<Completed>) {
        if let Some(journal) = &mut self.state().recording {
            journal.events.push(Event::Wait { completed });
        }
    }

    /// Whether calls may be answered from a journal (a replay or a resume).
    pub(crate) fn answers_calls(&self) -> bool {
        let state = self.state();
        state.replay.is_some() || !state.resume.is_empty()
    }

    /// Whether anything is recorded (so outcomes are worth copying).
    pub(crate) fn recording(&self) -> bool {
        self.state().recording.is_some()
    }

    /// The journal written, and how many calls were answered from a journal.
    pub(crate) fn finish(&self) -> (Option<Journal>, u32) {
        let mut state = self.state();
        (state.recording.take(), state.answered)
    }

    fn wall_now(&self) -> Duration {
        let mut state = self.state();
        let recorded = state.replay.as_mut().and_then(|cursor| {
            let reading = cursor.journal.wall_clock.get(cursor.wall).copied()?;
            cursor.wall += 1;
            Some(reading)
        });
        let ns = recorded.unwrap_or_else(|| {
            SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        });
        if let Some(journal) = &mut state.recording {
            journal.wall_clock.push(ns);
        }
        Duration::from_nanos(ns)
    }

    fn monotonic_now(&self) -> u64 {
        let mut state = self.state();
        let live = u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        let recorded = state.replay.as_mut().and_then(|cursor| {
            let reading = cursor.journal.monotonic_clock.get(cursor.monotonic).copied()?;
            cursor.monotonic += 1;
            Some(reading)
        });
        let ns = match recorded {
            Some(ns) => {
                state.monotonic_offset = i128::from(ns) - i128::from(live);
                ns
            }
            None => {
                let shifted = (i128::from(live) + state.monotonic_offset).clamp(0, i128::from(u64::MAX)) as u64;
                shifted.max(state.last_monotonic)
            }
        };
        state.last_monotonic = ns;
        if let Some(journal) = &mut state.recording {
            journal.monotonic_clock.push(ns);
        }
        ns
    }
}

fn describe(event: Option<&Event>) -> String {
    match event {
        Some(Event::Call { tool, arguments, .. }) => describe_call(tool, arguments),
        Some(Event::Wait { .. }) => "a wait for the calls in flight".into(),
        Some(Event::Answered { id, .. }) => format!("the answer to call {id}'s question"),
        None => "nothing more (it ends there)".into(),
    }
}

/// `tool(arguments)`, the arguments cut at 200 bytes.
fn describe_call(tool: &str, arguments: &Arguments) -> String {
    let text = arguments.text();
    let mut arguments = if text == "null" { String::new() } else { text.to_owned() };
    if arguments.len() > 200 {
        let cut = arguments.floor_char_boundary(200);
        arguments.truncate(cut);
        arguments.push('…');
    }
    format!("{tool}({arguments})")
}

/// What WASI seeds a guest with by default: the thread's generator, no
/// system call.
fn random_seed() -> u128 {
    rand::random()
}

/// One of the guest's two clocks, read through the tape.
pub(crate) struct TapeClock(pub Arc<Tape>);

impl HostWallClock for TapeClock {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }

    fn now(&self) -> Duration {
        self.0.wall_now()
    }
}

impl HostMonotonicClock for TapeClock {
    fn resolution(&self) -> u64 {
        1
    }

    fn now(&self) -> u64 {
        self.0.monotonic_now()
    }
}
