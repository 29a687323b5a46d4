//! The executor's account of where an execution's time went.

use crate::support::run;
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// Every execution reports where its time went (`codemode::phases`, what
/// the workloads bench's breakdown reads): six phases, each measured, that
/// together fit inside the execution.
#[tokio::test]
async fn an_execution_reports_its_phases() {
    #[derive(Clone, Default)]
    struct Phases(Arc<Mutex<Vec<(String, u64)>>>);
    impl<S: tracing::Subscriber> Layer<S> for Phases {
        fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
            if event.metadata().target() == "codemode::phases" {
                event.record(&mut &*self);
            }
        }
    }
    impl Visit for &Phases {
        fn record_u64(&mut self, field: &Field, value: u64) {
            self.0.lock().unwrap().push((field.name().to_owned(), value));
        }
        fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
    }

    let phases = Phases::default();
    let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(phases.clone()));
    let started = std::time::Instant::now();
    let envelope = run("let s = 0; for (let i = 0; i < 100000; i++) s += i; return s;").await;
    let elapsed = started.elapsed().as_nanos() as u64;
    assert!(envelope.ok, "{:?}", envelope.error);
    let phases = phases.0.lock().unwrap().clone();
    let names: Vec<&str> = phases.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["instantiate_ns", "entry_ns", "program_ns", "leave_ns", "release_ns", "envelope_ns"]);
    let program = phases[2].1;
    assert!(program > phases.iter().filter(|(n, _)| n != "program_ns").map(|p| p.1).max().unwrap(), "{phases:?}");
    assert!(phases.iter().map(|p| p.1).sum::<u64>() <= elapsed, "{phases:?} in {elapsed} ns");
}
