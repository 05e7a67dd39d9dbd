//! Column files: one typed column of a table per file, laid out so a memory
//! map is read in place (see docs/architecture.md, "Column files").
//!
//! Layout: a 64-byte header (`KITHCOL1`, type code, row count, byte count of
//! string data), then the values, little-endian. Fixed-width columns hold
//! `rows` values; string columns hold `rows + 1` u64 offsets then the bytes.
//! Everything after the header starts 8-byte aligned, and maps are page
//! aligned, so the slices are cast without copying.

use crate::StoreError;
use memmap2::Mmap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

const MAGIC: &[u8; 8] = b"KITHCOL1";
const HEADER: usize = 64;

/// Unknown values, by type. Text uses the empty string.
pub const NULL_U64: u64 = u64::MAX;
pub const NULL_I64: i64 = i64::MIN;
pub const NULL_I32: i32 = i32::MIN;
pub const NULL_U32: u32 = u32::MAX;
pub const NULL_U8: u8 = u8::MAX;

/// The physical type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ColType {
    U64 = 1,
    I64 = 2,
    I32 = 3,
    F64 = 4,
    U32 = 5,
    U8 = 6,
    Str = 7,
}

impl ColType {
    fn from_code(c: u8) -> Option<ColType> {
        Some(match c {
            1 => ColType::U64,
            2 => ColType::I64,
            3 => ColType::I32,
            4 => ColType::F64,
            5 => ColType::U32,
            6 => ColType::U8,
            7 => ColType::Str,
            _ => return None,
        })
    }

    fn width(self) -> usize {
        match self {
            ColType::U64 | ColType::I64 | ColType::F64 => 8,
            ColType::I32 | ColType::U32 => 4,
            ColType::U8 => 1,
            ColType::Str => 8,
        }
    }
}

/// A column being built in memory.
#[derive(Debug, Clone)]
pub enum ColumnBuf {
    U64(Vec<u64>),
    I64(Vec<i64>),
    I32(Vec<i32>),
    F64(Vec<f64>),
    U32(Vec<u32>),
    U8(Vec<u8>),
    Str { offsets: Vec<u64>, bytes: Vec<u8> },
}

impl ColumnBuf {
    pub fn new(t: ColType) -> ColumnBuf {
        match t {
            ColType::U64 => ColumnBuf::U64(Vec::new()),
            ColType::I64 => ColumnBuf::I64(Vec::new()),
            ColType::I32 => ColumnBuf::I32(Vec::new()),
            ColType::F64 => ColumnBuf::F64(Vec::new()),
            ColType::U32 => ColumnBuf::U32(Vec::new()),
            ColType::U8 => ColumnBuf::U8(Vec::new()),
            ColType::Str => ColumnBuf::Str {
                offsets: vec![0],
                bytes: Vec::new(),
            },
        }
    }

    pub fn col_type(&self) -> ColType {
        match self {
            ColumnBuf::U64(_) => ColType::U64,
            ColumnBuf::I64(_) => ColType::I64,
            ColumnBuf::I32(_) => ColType::I32,
            ColumnBuf::F64(_) => ColType::F64,
            ColumnBuf::U32(_) => ColType::U32,
            ColumnBuf::U8(_) => ColType::U8,
            ColumnBuf::Str { .. } => ColType::Str,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            ColumnBuf::U64(v) => v.len(),
            ColumnBuf::I64(v) => v.len(),
            ColumnBuf::I32(v) => v.len(),
            ColumnBuf::F64(v) => v.len(),
            ColumnBuf::U32(v) => v.len(),
            ColumnBuf::U8(v) => v.len(),
            ColumnBuf::Str { offsets, .. } => offsets.len() - 1,
        }
    }

    /// Whether any value is known; columns with none are not written.
    pub fn has_values(&self) -> bool {
        match self {
            ColumnBuf::U64(v) => v.iter().any(|&x| x != NULL_U64),
            ColumnBuf::I64(v) => v.iter().any(|&x| x != NULL_I64),
            ColumnBuf::I32(v) => v.iter().any(|&x| x != NULL_I32),
            ColumnBuf::F64(v) => v.iter().any(|x| !x.is_nan()),
            ColumnBuf::U32(v) => v.iter().any(|&x| x != NULL_U32),
            ColumnBuf::U8(v) => v.iter().any(|&x| x != NULL_U8),
            ColumnBuf::Str { bytes, .. } => !bytes.is_empty(),
        }
    }

    pub fn push_u64(&mut self, x: Option<u64>) {
        if let ColumnBuf::U64(v) = self {
            v.push(x.unwrap_or(NULL_U64));
        } else {
            unreachable!("schema mismatch: push_u64 on {:?}", self.col_type())
        }
    }
    pub fn push_i64(&mut self, x: Option<i64>) {
        if let ColumnBuf::I64(v) = self {
            v.push(x.unwrap_or(NULL_I64));
        } else {
            unreachable!("schema mismatch: push_i64 on {:?}", self.col_type())
        }
    }
    pub fn push_i32(&mut self, x: Option<i32>) {
        if let ColumnBuf::I32(v) = self {
            v.push(x.unwrap_or(NULL_I32));
        } else {
            unreachable!("schema mismatch: push_i32 on {:?}", self.col_type())
        }
    }
    pub fn push_f64(&mut self, x: Option<f64>) {
        if let ColumnBuf::F64(v) = self {
            v.push(x.unwrap_or(f64::NAN));
        } else {
            unreachable!("schema mismatch: push_f64 on {:?}", self.col_type())
        }
    }
    pub fn push_u32(&mut self, x: Option<u32>) {
        if let ColumnBuf::U32(v) = self {
            v.push(x.unwrap_or(NULL_U32));
        } else {
            unreachable!("schema mismatch: push_u32 on {:?}", self.col_type())
        }
    }
    pub fn push_u8(&mut self, x: Option<u8>) {
        if let ColumnBuf::U8(v) = self {
            v.push(x.unwrap_or(NULL_U8));
        } else {
            unreachable!("schema mismatch: push_u8 on {:?}", self.col_type())
        }
    }
    pub fn push_bool(&mut self, x: Option<bool>) {
        self.push_u8(x.map(u8::from));
    }
    pub fn push_str(&mut self, s: Option<&str>) {
        if let ColumnBuf::Str { offsets, bytes } = self {
            if let Some(s) = s {
                bytes.extend_from_slice(s.as_bytes());
            }
            offsets.push(bytes.len() as u64);
        } else {
            unreachable!("schema mismatch: push_str on {:?}", self.col_type())
        }
    }

    /// Appends row `row` of `src` (unknown when `src` is shorter).
    pub fn push_from(&mut self, src: &Column, row: usize) {
        match self {
            ColumnBuf::U64(v) => v.push(src.u64_at(row).unwrap_or(NULL_U64)),
            ColumnBuf::I64(v) => v.push(src.i64_at(row).unwrap_or(NULL_I64)),
            ColumnBuf::I32(v) => v.push(src.i32_at(row).unwrap_or(NULL_I32)),
            ColumnBuf::F64(v) => v.push(src.f64_at(row).unwrap_or(f64::NAN)),
            ColumnBuf::U32(v) => v.push(src.u32_at(row).unwrap_or(NULL_U32)),
            ColumnBuf::U8(v) => v.push(src.u8_at(row).unwrap_or(NULL_U8)),
            ColumnBuf::Str { .. } => self.push_str(src.str_at(row)),
        }
    }

    /// Reorders rows: row `i` of the result is row `order[i]` of `self`.
    pub fn permute(&self, order: &[u32]) -> ColumnBuf {
        fn pick<T: Copy>(v: &[T], order: &[u32]) -> Vec<T> {
            order.iter().map(|&i| v[i as usize]).collect()
        }
        match self {
            ColumnBuf::U64(v) => ColumnBuf::U64(pick(v, order)),
            ColumnBuf::I64(v) => ColumnBuf::I64(pick(v, order)),
            ColumnBuf::I32(v) => ColumnBuf::I32(pick(v, order)),
            ColumnBuf::F64(v) => ColumnBuf::F64(pick(v, order)),
            ColumnBuf::U32(v) => ColumnBuf::U32(pick(v, order)),
            ColumnBuf::U8(v) => ColumnBuf::U8(pick(v, order)),
            ColumnBuf::Str { offsets, bytes } => {
                let mut out = ColumnBuf::Str {
                    offsets: Vec::with_capacity(order.len() + 1),
                    bytes: Vec::with_capacity(bytes.len()),
                };
                if let ColumnBuf::Str { offsets: o, .. } = &mut out {
                    o.push(0);
                }
                for &i in order {
                    let (a, b) = (
                        offsets[i as usize] as usize,
                        offsets[i as usize + 1] as usize,
                    );
                    if let ColumnBuf::Str {
                        offsets: o,
                        bytes: out_bytes,
                    } = &mut out
                    {
                        out_bytes.extend_from_slice(&bytes[a..b]);
                        o.push(out_bytes.len() as u64);
                    }
                }
                out
            }
        }
    }

    /// Writes the column file and fsyncs it.
    pub fn write_to(&self, path: &Path) -> Result<(), StoreError> {
        let file = File::create(path).map_err(|e| StoreError::io(path, e))?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        let mut header = [0u8; HEADER];
        header[..8].copy_from_slice(MAGIC);
        header[8] = self.col_type() as u8;
        header[16..24].copy_from_slice(&(self.len() as u64).to_le_bytes());
        let write = |w: &mut BufWriter<File>, bytes: &[u8]| {
            w.write_all(bytes).map_err(|e| StoreError::io(path, e))
        };
        match self {
            ColumnBuf::Str { offsets, bytes } => {
                header[24..32].copy_from_slice(&(bytes.len() as u64).to_le_bytes());
                write(&mut w, &header)?;
                write(&mut w, bytemuck::cast_slice(offsets))?;
                write(&mut w, bytes)?;
            }
            other => {
                write(&mut w, &header)?;
                let data: &[u8] = match other {
                    ColumnBuf::U64(v) => bytemuck::cast_slice(v),
                    ColumnBuf::I64(v) => bytemuck::cast_slice(v),
                    ColumnBuf::I32(v) => bytemuck::cast_slice(v),
                    ColumnBuf::F64(v) => bytemuck::cast_slice(v),
                    ColumnBuf::U32(v) => bytemuck::cast_slice(v),
                    ColumnBuf::U8(v) => v,
                    ColumnBuf::Str { .. } => unreachable!(),
                };
                write(&mut w, data)?;
            }
        }
        let file = w
            .into_inner()
            .map_err(|e| StoreError::io(path, e.into_error()))?;
        file.sync_all().map_err(|e| StoreError::io(path, e))
    }
}

/// A column read from disk (memory-mapped), or an absent one (all unknown).
#[derive(Debug, Default)]
pub struct Column {
    map: Option<Mmap>,
    rows: usize,
}

impl Column {
    /// A column of no rows: every lookup says unknown.
    pub fn absent() -> Column {
        Column::default()
    }

    /// Maps and validates a column file; a missing file is an absent column.
    pub fn open(path: &Path, expect: ColType) -> Result<Column, StoreError> {
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Column::absent()),
            Err(e) => return Err(StoreError::io(path, e)),
        };
        // SAFETY: generation files are immutable once committed; kith never
        // writes to a file another process may have mapped (new generations
        // get new files), so the map cannot change under us.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| StoreError::io(path, e))?;
        let corrupt = |why: &str| StoreError::Corrupt {
            path: path.to_path_buf(),
            message: why.to_string(),
        };
        if map.len() < HEADER || &map[..8] != MAGIC {
            return Err(corrupt("not a kith column file"));
        }
        let col_type = ColType::from_code(map[8]).ok_or_else(|| corrupt("unknown column type"))?;
        if col_type != expect {
            return Err(corrupt("column has an unexpected type"));
        }
        let rows = u64::from_le_bytes(map[16..24].try_into().expect("8 bytes")) as usize;
        let str_bytes = u64::from_le_bytes(map[24..32].try_into().expect("8 bytes")) as usize;
        let expected_len = match col_type {
            ColType::Str => rows
                .checked_add(1)
                .and_then(|n| n.checked_mul(8))
                .and_then(|n| n.checked_add(str_bytes)),
            t => rows.checked_mul(t.width()),
        }
        .and_then(|n| n.checked_add(HEADER));
        if expected_len != Some(map.len()) {
            return Err(corrupt("file size does not match its header (truncated?)"));
        }
        let col = Column {
            map: Some(map),
            rows,
        };
        if col_type == ColType::Str {
            let offs = col.offsets();
            if offs.first() != Some(&0)
                || offs.last() != Some(&(str_bytes as u64))
                || offs.windows(2).any(|w| w[0] > w[1])
            {
                return Err(corrupt("string offsets are not monotone"));
            }
        }
        Ok(col)
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    fn data(&self) -> &[u8] {
        match &self.map {
            Some(m) => &m[HEADER..],
            None => &[],
        }
    }

    fn offsets(&self) -> &[u64] {
        if self.map.is_none() {
            return &[0];
        }
        bytemuck::cast_slice(&self.data()[..(self.rows + 1) * 8])
    }

    /// The values as a typed slice. An absent column is empty (its `&[]`
    /// would not be aligned for the cast).
    fn cast<T: bytemuck::Pod>(&self) -> &[T] {
        if self.map.is_none() {
            &[]
        } else {
            bytemuck::cast_slice(self.data())
        }
    }

    pub fn u64s(&self) -> &[u64] {
        self.cast()
    }
    pub fn i64s(&self) -> &[i64] {
        self.cast()
    }
    pub fn i32s(&self) -> &[i32] {
        self.cast()
    }
    pub fn f64s(&self) -> &[f64] {
        self.cast()
    }
    pub fn u32s(&self) -> &[u32] {
        self.cast()
    }
    pub fn u8s(&self) -> &[u8] {
        self.data()
    }

    pub fn u64_at(&self, row: usize) -> Option<u64> {
        self.u64s().get(row).copied().filter(|&v| v != NULL_U64)
    }
    pub fn i64_at(&self, row: usize) -> Option<i64> {
        self.i64s().get(row).copied().filter(|&v| v != NULL_I64)
    }
    pub fn i32_at(&self, row: usize) -> Option<i32> {
        self.i32s().get(row).copied().filter(|&v| v != NULL_I32)
    }
    pub fn f64_at(&self, row: usize) -> Option<f64> {
        self.f64s().get(row).copied().filter(|v| !v.is_nan())
    }
    pub fn u32_at(&self, row: usize) -> Option<u32> {
        self.u32s().get(row).copied().filter(|&v| v != NULL_U32)
    }
    pub fn u8_at(&self, row: usize) -> Option<u8> {
        self.u8s().get(row).copied().filter(|&v| v != NULL_U8)
    }
    pub fn bool_at(&self, row: usize) -> Option<bool> {
        self.u8_at(row).map(|v| v != 0)
    }

    /// The text of a row; `None` when unknown (empty).
    pub fn str_at(&self, row: usize) -> Option<&str> {
        // Written only from &str; a damaged file yields "unknown", not UB.
        std::str::from_utf8(self.bytes_at(row)?).ok()
    }

    /// The bytes of a text row, unchecked as UTF-8; `None` when unknown.
    /// For scans that look for ASCII (word splits, tag filters) and need
    /// not pay for validating every byte of a million rows.
    pub fn bytes_at(&self, row: usize) -> Option<&[u8]> {
        if row >= self.rows {
            return None;
        }
        let offs = self.offsets();
        let (a, b) = (offs[row] as usize, offs[row + 1] as usize);
        if a == b {
            return None;
        }
        let base = (self.rows + 1) * 8;
        self.data().get(base + a..base + b)
    }

    /// Bytes on disk, for `kith info`.
    pub fn size_bytes(&self) -> u64 {
        self.map.as_ref().map_or(0, |m| m.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_every_type() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = ColumnBuf::new(ColType::Str);
        s.push_str(Some("café"));
        s.push_str(None);
        s.push_str(Some("日本"));
        s.write_to(&dir.path().join("s")).unwrap();
        let c = Column::open(&dir.path().join("s"), ColType::Str).unwrap();
        assert_eq!(
            (c.str_at(0), c.str_at(1), c.str_at(2), c.str_at(3)),
            (Some("café"), None, Some("日本"), None)
        );

        let mut u = ColumnBuf::new(ColType::U64);
        u.push_u64(Some(7));
        u.push_u64(None);
        u.write_to(&dir.path().join("u")).unwrap();
        let c = Column::open(&dir.path().join("u"), ColType::U64).unwrap();
        assert_eq!(
            (c.u64_at(0), c.u64_at(1), c.u64_at(9)),
            (Some(7), None, None)
        );

        let mut b = ColumnBuf::new(ColType::U8);
        b.push_bool(Some(true));
        b.push_bool(Some(false));
        b.push_bool(None);
        b.write_to(&dir.path().join("b")).unwrap();
        let c = Column::open(&dir.path().join("b"), ColType::U8).unwrap();
        assert_eq!(
            (c.bool_at(0), c.bool_at(1), c.bool_at(2)),
            (Some(true), Some(false), None)
        );

        assert_eq!(
            Column::open(&dir.path().join("missing"), ColType::U8)
                .unwrap()
                .len(),
            0
        );
    }

    #[test]
    fn corrupt_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c");
        let mut u = ColumnBuf::new(ColType::U64);
        for i in 0..10 {
            u.push_u64(Some(i));
        }
        u.write_to(&p).unwrap();
        assert!(Column::open(&p, ColType::Str).is_err(), "wrong type");
        let bytes = std::fs::read(&p).unwrap();
        std::fs::write(&p, &bytes[..bytes.len() - 3]).unwrap();
        assert!(
            Column::open(&p, ColType::U64)
                .unwrap_err()
                .to_string()
                .contains("truncated")
        );
        std::fs::write(&p, b"garbage").unwrap();
        assert!(Column::open(&p, ColType::U64).is_err());
    }

    #[test]
    fn permute_strings() {
        let mut s = ColumnBuf::new(ColType::Str);
        for x in ["a", "bb", "", "ccc"] {
            s.push_str(Some(x));
        }
        let p = s.permute(&[3, 0, 2, 1]);
        let dir = tempfile::tempdir().unwrap();
        p.write_to(&dir.path().join("p")).unwrap();
        let c = Column::open(&dir.path().join("p"), ColType::Str).unwrap();
        let got: Vec<_> = (0..4).map(|i| c.str_at(i)).collect();
        assert_eq!(got, [Some("ccc"), Some("a"), None, Some("bb")]);
    }
}
