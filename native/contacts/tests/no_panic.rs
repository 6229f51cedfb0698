//! Hostile input never panics: random bytes, random mixes of CSV syntax, truncated files.

use std::sync::Arc;

use ccengine_contacts::{Chunk, ContactReader, Options, ZoneTable};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn read(bytes: &[u8], options: Options) {
    let zones = Arc::new(ZoneTable::new([("33", "Europe/Paris")]).unwrap());
    let Ok(mut reader) = ContactReader::open(bytes, options, zones, [""; 0], [""; 0]) else {
        return;
    };
    let mut chunk = Chunk::default();
    let mut guard = 0;
    while reader.next_chunk(7, &mut chunk).unwrap() {
        for row in chunk.rows() {
            assert!(row.e164.starts_with('+'));
            serde_json::from_str::<serde_json::Value>(row.fields).unwrap();
        }
        guard += 1;
        assert!(guard < 1_000_000);
    }
}

#[test]
fn arbitrary_bytes_never_panic() {
    // CONTACTS_FUZZ_CASES=1000000 CONTACTS_FUZZ_SEED=n explores further than CI does.
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ env("CONTACTS_FUZZ_SEED", 0));
    let alphabet: &[u8] =
        b"0123456789+-.()\"\",;\t\r\n \0\xff\xfe\xef\xbb\xbf\xe9\xc3\xa9\xd8\x00abcPK";
    for case in 0..env("CONTACTS_FUZZ_CASES", 3000) as usize {
        let len = (rng.next() % 600) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                let r = rng.next();
                if case % 3 == 0 {
                    r as u8
                } else {
                    alphabet[(r % alphabet.len() as u64) as usize]
                }
            })
            .collect();
        let mut bytes = bytes;
        if case % 5 == 0 {
            // A UTF-8 sample followed by anything: decided UTF-8, the rest read row by row.
            let mut head = "tel,é\n0612345678,x\n".repeat(3).into_bytes();
            head.append(&mut bytes);
            bytes = head;
        }
        let mut options = Options::new("FR");
        match case % 4 {
            1 => options.header = Some(false),
            2 => options.phone_column = Some(ccengine_contacts::PhoneColumn::Index(2)),
            3 => options.max_field_bytes = 3,
            _ => {}
        }
        read(&bytes, options);
        // Every prefix of a valid-looking file too.
        if case < 50 {
            let text = b"\xef\xbb\xbfnom;tel\n\"a\"\"b\";0612345678\n\"x\ny\";+33734567890\n";
            read(&text[..case.min(text.len())], Options::new("FR"));
        }
    }
}
