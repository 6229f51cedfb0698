//! Ingest and report throughput on a synthetic day, against a plain baseline measured in the
//! same run: one pass that only sums each event's counter delta into a HashMap per
//! (entity, local day) — what an obvious implementation of "count per dimension" costs.

use std::collections::HashMap;

use ccengine_events::counters::{Counters, Delta};
use ccengine_events::entities::{EntityIndex, EntityList};
use ccengine_events::report::{call_report, ReportColumns};
use ccengine_events::synth::{synthetic_day, SynthConfig};
use ccengine_events::{Aggregator, Calendar, Config, EventKind, OwnedColumns, Sizes, WeekStart};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn sizes() -> Sizes {
    Sizes {
        tenant: 1,
        agent: 1000,
        team: 50,
        campaign: 50,
        list: 200,
        queue: 10,
        channel: 1,
    }
}

fn day() -> (SynthConfig, OwnedColumns) {
    let target = std::env::var("CCENGINE_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000_000);
    let cfg = SynthConfig {
        target_events: target,
        ..SynthConfig::default()
    };
    let day = synthetic_day(&cfg).expect("synthetic day");
    (cfg, day)
}

fn baseline(day: &OwnedColumns, cal: &Calendar, index: &EntityIndex) -> usize {
    let mut cells: HashMap<(u32, i32), Counters> = HashMap::new();
    let cols = day.columns();
    let mut list = EntityList::default();
    for i in 0..cols.len() {
        let e = cols.get(i);
        let kind = EventKind::from_code(e.kind).expect("valid kind");
        let delta = Delta::of(kind, &e, 20.0);
        let day_key = Calendar::day_key(cal.date(e.time).expect("in range"));
        index.of_event(&e, &mut list);
        for &entity in list.as_slice() {
            cells.entry((entity, day_key)).or_default().apply(&delta);
        }
    }
    cells.len()
}

fn bench(c: &mut Criterion) {
    let (cfg, day) = day();
    let mut group = c.benchmark_group("ingest");
    group.sample_size(10);
    group.throughput(Throughput::Elements(day.len() as u64));
    let config = Config {
        tz: cfg.tz.clone(),
        sizes: sizes(),
        ..Config::default()
    };
    group.bench_function("aggregator", |b| {
        b.iter(|| {
            let mut agg = Aggregator::new(config.clone()).unwrap();
            agg.ingest(&day.columns()).unwrap().accepted
        })
    });
    let cal = Calendar::new(&cfg.tz, WeekStart::Monday).unwrap();
    let index = EntityIndex::new(sizes());
    group.bench_function("baseline_hashmap_per_day", |b| {
        b.iter(|| baseline(&day, &cal, &index))
    });
    group.bench_function("call_report", |b| {
        let cols = ReportColumns::from(&day);
        b.iter(|| call_report(&cols, &cfg.tz).unwrap().center.attempts)
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
