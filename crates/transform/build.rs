//! Turns `data/cl100k_base.tiktoken` (OpenAI's tiktoken vocabulary, one `base64 rank` line per
//! token, ranks 0..n in order) into the table `src/tokens.rs` reads in place: no parsing and
//! no allocation at run time.
//!
//! Layout (little-endian u32s, then bytes): `n`, `slots`, `n + 1` offsets into the token bytes
//! (token r is `bytes[off[r]..off[r + 1]]`), `slots` entries of an open-addressing table
//! (rank + 1, 0 = empty; FNV-1a of the bytes, linear probing), then the token bytes.

use std::io::Write;

use base64::Engine;

fn main() {
    let src = "data/cl100k_base.tiktoken";
    println!("cargo:rerun-if-changed={src}");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/fnv1a.rs");
    let text = std::fs::read_to_string(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    let mut tokens: Vec<Vec<u8>> = Vec::with_capacity(100_256);
    for (i, line) in text.lines().enumerate() {
        let (b64, rank) = line
            .split_once(' ')
            .unwrap_or_else(|| panic!("{src}:{}: expected `base64 rank`", i + 1));
        assert_eq!(
            rank.parse::<usize>().ok(),
            Some(i),
            "{src}:{}: ranks must run 0..n",
            i + 1
        );
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap_or_else(|e| panic!("{src}:{}: {e}", i + 1));
        tokens.push(bytes);
    }
    let n = tokens.len();
    let slots = (n * 2).next_power_of_two();
    let mut table = vec![0u32; slots];
    for (rank, t) in tokens.iter().enumerate() {
        let mut i = fnv1a(t) as usize & (slots - 1);
        while table[i] != 0 {
            i = (i + 1) & (slots - 1);
        }
        table[i] = rank as u32 + 1;
    }
    let mut out = Vec::new();
    let mut put = |v: usize| out.extend_from_slice(&(v as u32).to_le_bytes());
    put(n);
    put(slots);
    let mut off = 0;
    put(off);
    for t in &tokens {
        off += t.len();
        put(off);
    }
    for v in &table {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for t in &tokens {
        out.extend_from_slice(t);
    }
    let dir = std::env::var("OUT_DIR").unwrap_or_else(|e| panic!("OUT_DIR: {e}"));
    let path = std::path::Path::new(&dir).join("cl100k_base.bin");
    let mut f = std::fs::File::create(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    f.write_all(&out)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

include!("src/fnv1a.rs");
