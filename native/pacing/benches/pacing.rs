//! Decision cost of the pacer (budget: under 5 µs on one core) and a simulated 200-agent,
//! 8-hour day with a decision every 100 ms (budget: under 1 s). Run with `./dev bench`.

use ccengine_pacing::sim::{simulate, Scenario};
use ccengine_pacing::{Counts, Pacer, PacingConfig, Snapshot, Tally};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

/// Talking, wrapping, ringing elapsed times; recent talk, wrap-up and answer durations.
type State = (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>);

/// A busy campaign: `agents` agents (a tenth idle, most talking), half as many calls ringing.
fn state(agents: usize) -> State {
    let spread = |n: usize, span: f64| {
        (0..n)
            .map(|i| (i as f64 * 7.31) % span)
            .collect::<Vec<f64>>()
    };
    let talking = spread(agents * 3 / 4, 300.0);
    let wrapping = spread(agents * 3 / 20, 30.0);
    let ringing = spread(agents / 2, 25.0);
    let recent_talk = spread(256, 240.0).into_iter().map(|x| x + 10.0).collect();
    let recent_wrap = spread(256, 35.0).into_iter().map(|x| x + 5.0).collect();
    let recent_answer = spread(256, 15.0).into_iter().map(|x| x + 3.0).collect();
    (
        talking,
        wrapping,
        ringing,
        recent_talk,
        recent_wrap,
        recent_answer,
    )
}

fn decision(c: &mut Criterion) {
    for agents in [5usize, 25, 200] {
        let (talking, wrapping, ringing, rt, rw, ra) = state(agents);
        let busy = talking.len() + wrapping.len();
        let idle = (agents - busy) as i64;
        let mut pacer = Pacer::new(PacingConfig::default()).unwrap();
        let mut snap = Snapshot {
            now: 3600.0,
            agents: agents as i64,
            idle,
            paused: 0,
            talking: &talking,
            wrapping: &wrapping,
            ringing: &ringing,
            counts: Counts {
                attempts: 50_000,
                human: 10_000,
                machine: 6_000,
                no_answer: 20_000,
                abandons: 150,
                connects: 9_850,
            },
            window: Tally {
                humans: 10_000,
                abandons: 150,
            },
            last_hour: Tally {
                humans: 2_000,
                abandons: 30,
            },
            recent_talk: &rt,
            recent_wrap: &rw,
            recent_answer: &ra,
            records_left: None,
            time_left: None,
        };
        pacer.decide(&snap).unwrap();
        c.bench_function(&format!("decide/predictive/{agents} agents"), |b| {
            b.iter(|| {
                // 100 ms of simulated time per decision: the tables are rebuilt once a minute,
                // as in a real run, and their cost is spread over the decisions.
                snap.now += 0.1;
                black_box(pacer.decide(black_box(&snap)).unwrap())
            })
        });
    }
}

fn day(c: &mut Criterion) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../bench/scenarios/agents-200.toml"
    ))
    .unwrap();
    let scenario = Scenario::from_toml(&text).unwrap();
    let mut g = c.benchmark_group("simulate");
    g.sample_size(10);
    g.bench_function("200 agents, 8 h, decision every 100 ms", |b| {
        b.iter(|| {
            let mut pacer = Pacer::new(PacingConfig::default()).unwrap();
            black_box(simulate(&scenario, &mut pacer, 1, false).unwrap())
        })
    });
    g.finish();
}

criterion_group!(benches, decision, day);
criterion_main!(benches);
