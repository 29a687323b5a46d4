//! The port against the reference encoder (`scripts/embedding/static_ref.py`):
//! the same token rows for every test string, the same embeddings.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{MODEL, Model};

const VECTORS: &str = include_str!("../../../../../tests/fixtures/search/embedding-testvectors.json");

fn vectors() -> Value {
    serde_json::from_str(VECTORS).unwrap()
}

#[test]
fn the_model_is_the_derived_file() {
    let (body, sum) = MODEL.split_at(MODEL.len() - 32);
    assert_eq!(Sha256::digest(body).as_slice(), sum, "the file's own checksum");
    let hex: String = Sha256::digest(MODEL).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, vectors()["model_sha256"].as_str().unwrap());
    let model = Model::get();
    assert_eq!((model.dim, model.scales.len()), (256, 29_525));
}

#[test]
fn broken_files_are_refused() {
    let mut wrong_magic = MODEL[..64].to_vec();
    wrong_magic[0] = b'X';
    for bytes in [&b""[..], &MODEL[..31], &MODEL[..100], &MODEL[..MODEL.len() - 1], &*wrong_magic.leak()] {
        assert!(Model::parse(bytes).is_err(), "{} bytes", bytes.len());
    }
}

#[test]
fn tokens_match_the_reference() {
    let model = Model::get();
    let cases = vectors()["tokenize"].as_array().unwrap().clone();
    assert!(cases.len() > 300);
    let mut failures = Vec::new();
    for case in &cases {
        let text = case[0].as_str().unwrap();
        let expected: Vec<u32> = case[1].as_array().unwrap().iter().map(|id| id.as_u64().unwrap() as u32).collect();
        let mut got = Vec::new();
        model.tokenize(text, &mut got);
        if got != expected {
            failures.push(format!("{text:?}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{} of {}:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn embeddings_match_the_reference() {
    let model = Model::get();
    let mut out = vec![0f32; model.dim];
    for case in vectors()["embed"].as_array().unwrap() {
        let text = case[0].as_str().unwrap();
        let expected: Vec<f32> = case[1].as_array().unwrap().iter().map(|x| x.as_f64().unwrap() as f32).collect();
        let known = model.embed(text, &mut out);
        assert_eq!(known, expected.iter().any(|&x| x != 0.0), "{text:?}");
        let worst = out.iter().zip(&expected).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
        assert!(worst < 1e-5, "{text:?}: off by {worst}");
    }
}
