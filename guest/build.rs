//! Link settings of the guest component.
//!
//! QuickJS-ng compiles its own stack check out on WASI, so JavaScript
//! recursion is bounded by the shadow stack in linear memory. Rust places
//! that stack first in memory, so exhausting it faults below address 0 (a
//! trap the host reports as kind `stack`) and can never overwrite the heap.
//! 4 MiB gives about 20,000 frames of plain recursion; untouched stack pages
//! cost no resident memory.
fn main() {
    println!("cargo:rustc-link-arg=-zstack-size=4194304");
}
