//! One server's current tool list: filtered by its allow/deny options,
//! replaced when the server's list changes, with a counter that watchers
//! see bump on every change. It never talks to the server itself; sessions
//! hand it fresh lists.

use std::sync::{Arc, Mutex};

use rmcp::model::Tool;
use tokio::sync::watch;

use crate::config::ServerOptions;

/// The exposed tools of one server.
pub(super) struct ToolSet {
    options: ServerOptions,
    tools: Mutex<Arc<[Tool]>>,
    changes: watch::Sender<u64>,
}

impl ToolSet {
    /// An empty set applying `options`' allow/deny lists.
    pub(super) fn new(options: ServerOptions) -> Self {
        ToolSet { options, tools: Mutex::new(Arc::from([])), changes: watch::Sender::new(0) }
    }

    /// The current tools.
    pub(super) fn current(&self) -> Arc<[Tool]> {
        Arc::clone(&self.tools.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    /// A receiver of the change counter.
    pub(super) fn subscribe(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Replaces the tools with the allowed ones of `listed`; bumps the
    /// counter if that changes them.
    pub(super) fn replace(&self, listed: Vec<Tool>) {
        let allowed: Arc<[Tool]> = listed.into_iter().filter(|tool| self.options.allows(&tool.name)).collect();
        let mut tools = self.tools.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if *tools != allowed {
            *tools = allowed;
            self.changes.send_modify(|count| *count += 1);
        }
    }
}
