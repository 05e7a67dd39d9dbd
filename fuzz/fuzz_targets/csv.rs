#![no_main]
//! CSV and TSV parsing of every record kind.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kith_io_fuzz::read_every_kind(data, "fuzz.csv", kith_io::Format::Csv);
    kith_io_fuzz::read_every_kind(data, "fuzz.tsv", kith_io::Format::Csv);
});
