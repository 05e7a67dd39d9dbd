#![no_main]
//! JSON Lines parsing of every record kind.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kith_io_fuzz::read_every_kind(data, "fuzz.jsonl", kith_io::Format::Jsonl);
});
