//! One server's current tool list: filtered by its allow/deny options,
//! replaced when the server's list changes, with a counter that watchers
//! see bump on every change; until a first list arrives, why there is none
//! (the server could not start). It never talks to the server itself;
//! sessions hand it fresh lists.

use std::sync::{Arc, Mutex};

use rmcp::model::Tool;
use tokio::sync::watch;

use super::error::UpstreamError;
use crate::config::ServerOptions;

/// The exposed tools of one server.
pub(super) struct ToolSet {
    options: ServerOptions,
    state: Mutex<State>,
    changes: watch::Sender<u64>,
}

struct State {
    tools: Arc<[Tool]>,
    /// Whether a list ever arrived.
    listed: bool,
    /// Why the server has never listed its tools: the last failure to
    /// start it.
    unstarted: Option<UpstreamError>,
}

impl ToolSet {
    /// An empty set applying `options`' allow/deny lists.
    pub(super) fn new(options: ServerOptions) -> Self {
        let state = State { tools: Arc::from([]), listed: false, unstarted: None };
        ToolSet { options, state: Mutex::new(state), changes: watch::Sender::new(0) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The current tools.
    pub(super) fn current(&self) -> Arc<[Tool]> {
        Arc::clone(&self.state().tools)
    }

    /// Why the server never started, while it has not.
    pub(super) fn unstarted(&self) -> Option<UpstreamError> {
        self.state().unstarted.clone()
    }

    /// Records that starting the server failed with `error`, unless it
    /// has started before (later deaths are the supervisor's to report);
    /// bumps the counter, so the catalog says why.
    pub(super) fn start_failed(&self, error: &UpstreamError) {
        let mut state = self.state();
        if !state.listed {
            state.unstarted = Some(error.clone());
            self.changes.send_modify(|count| *count += 1);
        }
    }

    /// A receiver of the change counter.
    pub(super) fn subscribe(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Replaces the tools with the allowed ones of `listed`; bumps the
    /// counter if that changes them.
    pub(super) fn replace(&self, listed: Vec<Tool>) {
        let allowed: Arc<[Tool]> = listed.into_iter().filter(|tool| self.options.allows(&tool.name)).collect();
        let mut state = self.state();
        state.listed = true;
        let started = state.unstarted.take().is_some();
        if started || state.tools != allowed {
            state.tools = allowed;
            self.changes.send_modify(|count| *count += 1);
        }
    }
}
