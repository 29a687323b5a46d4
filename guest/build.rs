//! Link settings of the guest component.
//!
//! The shadow stack: 4 MiB, which Rust places first in linear memory. The
//! vendored QuickJS-ng throws its catchable stack-overflow error 128 KiB
//! above its bottom (third_party/README.md), at about 15,800 calls of plain
//! recursion; code that does not check and runs it out faults below address
//! 0 (a trap the host reports as kind `stack`) and can never overwrite the
//! heap. Untouched stack pages cost no resident memory.
fn main() {
    println!("cargo:rustc-link-arg=-zstack-size=4194304");
}
