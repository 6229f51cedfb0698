//! Predictive's figures per scenario of bench/scenarios (seeds 1-3: talk occupancy, the day's
//! abandon rate and its worst rolling hour per seed, seconds per simulated day), for working
//! on the model: `cargo run --release -p ccengine-pacing --example explore [scenario...]`.
//! `MODE=progressive` or `MODE=power2.5` runs another policy, `FIRST_SEED=4` seeds 4-6; `WORST=1` prints each seed's
//! worst rolling hour minute by minute (its abandons) on stderr, with the pacer's final gain.

use ccengine_pacing::sim::{simulate, RunResult, Scenario};
use ccengine_pacing::{Mode, Pacer, PacingConfig};
use std::time::Instant;

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/scenarios");
    let mut names: Vec<String> = std::env::args().skip(1).collect();
    if names.is_empty() {
        names = [
            "agents-5",
            "agents-25",
            "agents-200",
            "low-contact",
            "high-contact",
            "long-talk",
            "short-talk",
            "drift",
            "list-runs-out",
            "staffing",
        ]
        .map(String::from)
        .to_vec();
    }
    for name in names {
        let s =
            Scenario::from_toml(&std::fs::read_to_string(format!("{dir}/{name}.toml")).unwrap())
                .unwrap();
        let t = Instant::now();
        let first: u64 = std::env::var("FIRST_SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        let rs: Vec<RunResult> = [first, first + 1, first + 2]
            .iter()
            .map(|&seed| {
                let mode = match std::env::var("MODE").as_deref() {
                    Ok("progressive") => Mode::Progressive,
                    Ok(r) if r.starts_with("power") => Mode::Power { ratio: r[5..].parse().unwrap() },
                    _ => Mode::Predictive,
                };
                let mut p = Pacer::new(PacingConfig { mode, ..PacingConfig::default() }).unwrap();
                let r = simulate(&s, &mut p, seed, false).unwrap();
                if std::env::var_os("WORST").is_some() {
                    let rates = r.rolling_hour_rates();
                    let (w, rate) = rates.iter().enumerate().fold((0, 0.0), |b, (i, &x)| if x > b.1 { (i, x) } else { b });
                    let ab: Vec<u32> = r.minutes[w..w + 60].iter().map(|m| m.abandons).collect();
                    let hu: u32 = r.minutes[w..w + 60].iter().map(|m| m.humans).sum();
                    eprintln!("seed {seed} worst hour from minute {w}: {rate:.4} humans {hu} abandons by minute {ab:?}");
                }
                eprint!("gain {:.2} ", p.gain());
                r
            })
            .collect();
        let el = t.elapsed().as_secs_f64() / 3.0;
        let occ = rs.iter().map(|r| r.occupancy_talk()).sum::<f64>() / 3.0;
        let days: Vec<String> = rs
            .iter()
            .map(|r| format!("{:.2}", 100.0 * r.abandon_rate()))
            .collect();
        let hours: Vec<String> = rs
            .iter()
            .map(|r| format!("{:.2}", 100.0 * r.worst_hour_rate()))
            .collect();
        println!(
            "{name:14} occ {:.1}  day {:?}  hour {:?}  {:.2}s/day",
            100.0 * occ,
            days,
            hours,
            el
        );
    }
}
