#![no_main]
//! SNAP edge-list parsing.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kith_io_fuzz::read_edges(data);
});
