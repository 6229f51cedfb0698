//! Reads a generated 1M-row contact file held in memory: the native part of the import.

use std::hint::black_box;
use std::sync::Arc;

use ccengine_contacts::{normalize, Chunk, ContactReader, Options, ZoneTable};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const ROWS: u64 = 1_000_000;

/// A CRM-like export: id, names, a French mobile or landline in varied formats, a city; 1% of
/// rows have a bad number.
fn file() -> Vec<u8> {
    let mut text = String::from("id;nom;prenom;telephone;ville\n");
    for i in 0..ROWS {
        let n = 10_000_000 + i * 7 % 90_000_000;
        let phone = match i % 100 {
            0 => format!("06 {n}"),
            1..=40 => format!("06{n:08}"),
            41..=70 => format!("+336{n:08}"),
            _ => format!(
                "01.{:02}.{:02}.{:02}.{:02}",
                n / 1_000_000 % 100,
                n / 10_000 % 100,
                n / 100 % 100,
                n % 100
            ),
        };
        text.push_str(&format!("{i};Dupont{};Jean;{phone};Paris\n", i % 1000));
    }
    text.into_bytes()
}

/// Shaped like libphonenumber's timezone map: whole countries, North American area codes (4
/// digits) and longer prefixes, so a lookup may walk several lengths.
fn zone_entries() -> Vec<(String, String)> {
    let mut entries: Vec<(String, String)> = ["33", "32", "41", "44", "49", "39", "34", "212"]
        .iter()
        .map(|cc| (cc.to_string(), "Europe/Paris".to_string()))
        .collect();
    let us = "America/New_York&America/Chicago&America/Denver&America/Los_Angeles";
    entries.push(("1".into(), us.into()));
    for area in 201..990 {
        entries.push((format!("1{area}"), "America/New_York".into()));
    }
    for prefix in 0..200 {
        entries.push((format!("1907{prefix:03}"), "America/Anchorage".into()));
        entries.push((format!("7{:04}", 3000 + prefix), "Asia/Almaty".into()));
        entries.push((format!("3361234{prefix:03}"), "Europe/Paris".into()));
    }
    entries
}

fn read(c: &mut Criterion) {
    let data = file();
    let zones = Arc::new(ZoneTable::new(zone_entries()).unwrap());
    let mut group = c.benchmark_group("contacts");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS));
    group.bench_function("read_1m_rows", |b| {
        b.iter(|| {
            let mut reader = ContactReader::open(
                &data[..],
                Options::new("FR"),
                zones.clone(),
                [""; 0],
                [""; 0],
            )
            .unwrap();
            let mut chunk = Chunk::default();
            let mut accepted = 0;
            while reader.next_chunk(10_000, &mut chunk).unwrap() {
                accepted += chunk.len();
            }
            black_box(accepted)
        })
    });
    let zones = ZoneTable::new(zone_entries()).unwrap();
    let plan = ccengine_contacts::Phones::new(ccengine_contacts::parse_region("FR").unwrap());
    let phones: Vec<String> = String::from_utf8(data.clone())
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(';').nth(3).unwrap().to_owned())
        .collect();
    group.bench_function("normalize_1m_numbers", |b| {
        b.iter(|| {
            phones
                .iter()
                .filter(|p| normalize(p, &plan, &zones).is_ok())
                .count()
        })
    });
    group.finish();
}

criterion_group!(benches, read);
criterion_main!(benches);
