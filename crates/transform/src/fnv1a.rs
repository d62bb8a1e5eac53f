// Included by `build.rs` and `src/tokens.rs` (not a module): the table build.rs writes is
// looked up with the same hash, so there is one definition of it.

/// FNV-1a, 32 bits.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h: u32, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}
