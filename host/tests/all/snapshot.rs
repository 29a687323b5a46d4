//! The shipped guest is pre-initialized (`snapshot/`): executions start
//! from a built JavaScript engine, yet nothing frozen at build time shows.

use crate::support::{run, value};

/// Building the engine (runtime, context, intrinsics, bridge glue) takes
/// about 3.9 million units of fuel; a trivial execution from the snapshot
/// takes under 0.1 million. A guest that built its engine per execution
/// would fail this.
#[tokio::test]
async fn executions_start_with_the_engine_built() {
    let envelope = run("async () => { return 1 + 1; }").await;
    assert!(envelope.ok, "{envelope:?}");
    assert!(envelope.receipt.fuel_used < 500_000, "a trivial execution used {} fuel", envelope.receipt.fuel_used);
}

/// The engine is built once, into the guest's snapshot, so QuickJS's own
/// seed is the same in every execution; the guest reseeds `Math.random`
/// from the host per execution.
#[tokio::test]
async fn randomness_is_fresh_per_execution() {
    let draws = "const d = []; for (let i = 0; i < 200; i++) d.push(Math.random()); return d";
    let mut seen = std::collections::HashSet::new();
    for _ in 0..5 {
        let v = value(draws).await;
        let values: Vec<f64> = serde_json::from_value(v).expect("numbers");
        assert!(values.iter().all(|x| (0.0..1.0).contains(x)), "out of [0, 1): {values:?}");
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        assert!((0.35..0.65).contains(&mean), "200 draws average {mean}");
        for x in values {
            assert!(seen.insert(x.to_bits()), "Math.random repeated a value across executions: {x}");
        }
    }
}

/// The snapshot was taken under a fixed clock (2000-01-01); programs read
/// the real one.
#[tokio::test]
async fn the_clock_is_live() {
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as f64;
    let v = value("return [Date.now(), new Date().getUTCFullYear(), performance.now()]").await;
    let date_now = v[0].as_f64().unwrap();
    assert!((date_now - now_ms).abs() < 60_000.0, "Date.now() is {date_now}, the host says {now_ms}");
    assert!(v[1].as_u64().unwrap() >= 2025, "{v}");
    assert!(v[2].as_f64().unwrap() >= 0.0, "{v}");
}
