#![no_main]
//! kith-graph's parallel SNAP reader (the one `kith graph` uses).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kith_io_fuzz::read_graph_edges(data);
});
