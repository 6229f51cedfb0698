//! Answering-machine detection on a customer leg, from the first seconds after the answer.
//! The shape follows the public design of Asterisk's app_amd (frames classed as voice or
//! silence by energy; words counted as voice runs separated by short silences) with our own
//! rules and names:
//!
//! - a person answers briefly ("Hello?") and then waits: a short greeting followed by a silence
//!   of `after_greeting_silence` means **human**;
//! - a machine talks on: a greeting longer than `greeting`, more than `max_words` words, or a
//!   single word longer than `max_word` means **machine**;
//! - nothing heard for `initial_silence`, or no decision within `total`, is **unsure**: the
//!   dialer decides what to do with those (usually: treat as human, an agent can hang up).

use crate::frame::{mean_abs, Frame, FRAME_MS};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AmdSettings {
    /// Mean absolute amplitude (16-bit scale) above which a frame is voice.
    pub voice_threshold: u32,
    pub initial_silence_ms: u64,
    pub greeting_ms: u64,
    pub after_greeting_silence_ms: u64,
    pub total_ms: u64,
    pub min_word_ms: u64,
    pub between_words_silence_ms: u64,
    pub max_words: u32,
    pub max_word_ms: u64,
}

impl Default for AmdSettings {
    fn default() -> Self {
        Self {
            voice_threshold: 400,
            initial_silence_ms: 2500,
            greeting_ms: 2000,
            after_greeting_silence_ms: 800,
            total_ms: 5000,
            min_word_ms: 100,
            between_words_silence_ms: 50,
            max_words: 6,
            max_word_ms: 3000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    Human,
    Machine,
    Unsure,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Self::Human => "human",
            Self::Machine => "machine",
            Self::Unsure => "unsure",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub verdict: Verdict,
    /// Stable reason slug: "short-greeting", "long-greeting", "too-many-words", "long-word",
    /// "initial-silence", "timeout".
    pub reason: &'static str,
    /// Audio analysed when deciding, from the start of detection.
    pub after_ms: u64,
    pub words: u32,
    pub voice_ms: u64,
}

#[derive(Debug, Clone)]
pub struct Detector {
    settings: AmdSettings,
    elapsed_ms: u64,
    voice_ms: u64,
    run_voice_ms: u64,
    run_silence_ms: u64,
    words: u32,
    heard_voice: bool,
    in_word: bool,
    decision: Option<Decision>,
}

impl Detector {
    pub fn new(settings: AmdSettings) -> Self {
        Self {
            settings,
            elapsed_ms: 0,
            voice_ms: 0,
            run_voice_ms: 0,
            run_silence_ms: 0,
            words: 0,
            heard_voice: false,
            in_word: false,
            decision: None,
        }
    }

    pub fn decision(&self) -> Option<Decision> {
        self.decision
    }

    fn decide(&mut self, verdict: Verdict, reason: &'static str) -> Option<Decision> {
        let d = Decision {
            verdict,
            reason,
            after_ms: self.elapsed_ms,
            words: self.words,
            voice_ms: self.voice_ms,
        };
        self.decision = Some(d);
        Some(d)
    }

    /// Feeds one 20 ms frame of what the customer says; returns the decision once, when made.
    pub fn feed(&mut self, frame: &Frame) -> Option<Decision> {
        if self.decision.is_some() {
            return None;
        }
        let s = self.settings;
        self.elapsed_ms += FRAME_MS;
        if mean_abs(frame) >= s.voice_threshold {
            self.voice_ms += FRAME_MS;
            self.run_voice_ms += FRAME_MS;
            self.run_silence_ms = 0;
            if !self.in_word && self.run_voice_ms >= s.min_word_ms {
                self.in_word = true;
                self.heard_voice = true;
                self.words += 1;
            }
            if self.words > s.max_words {
                return self.decide(Verdict::Machine, "too-many-words");
            }
            if self.run_voice_ms >= s.max_word_ms {
                return self.decide(Verdict::Machine, "long-word");
            }
            if self.voice_ms >= s.greeting_ms {
                return self.decide(Verdict::Machine, "long-greeting");
            }
        } else {
            self.run_silence_ms += FRAME_MS;
            if self.run_silence_ms >= s.between_words_silence_ms {
                self.in_word = false;
                self.run_voice_ms = 0;
            }
            if !self.heard_voice && self.run_silence_ms >= s.initial_silence_ms {
                return self.decide(Verdict::Unsure, "initial-silence");
            }
            if self.heard_voice && self.run_silence_ms >= s.after_greeting_silence_ms {
                return self.decide(Verdict::Human, "short-greeting");
            }
        }
        if self.elapsed_ms >= s.total_ms {
            return self.decide(Verdict::Unsure, "timeout");
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{FRAME_SAMPLES, SILENCE};

    const VOICE: Frame = {
        let mut f = [0i16; FRAME_SAMPLES];
        let mut i = 0;
        while i < FRAME_SAMPLES {
            f[i] = if i % 2 == 0 { 3000 } else { -3000 };
            i += 1;
        }
        f
    };

    /// Feeds (voice?, milliseconds) runs until a decision.
    fn run(script: &[(bool, u64)]) -> Decision {
        let mut d = Detector::new(AmdSettings::default());
        for &(voice, ms) in script {
            for _ in 0..ms / FRAME_MS {
                if let Some(decision) = d.feed(if voice { &VOICE } else { &SILENCE }) {
                    return decision;
                }
            }
        }
        panic!("no decision for {script:?}");
    }

    #[test]
    fn hello_then_silence_is_human() {
        let d = run(&[(false, 400), (true, 500), (false, 2000)]);
        assert_eq!((d.verdict, d.reason), (Verdict::Human, "short-greeting"));
        assert_eq!(d.after_ms, 400 + 500 + 800);
        assert_eq!(d.words, 1);
    }

    #[test]
    fn a_long_greeting_is_a_machine() {
        // Words of 300 ms separated by 100 ms pauses: the seventh passes max_words.
        let words: Vec<(bool, u64)> = (0..10).flat_map(|_| [(true, 300), (false, 100)]).collect();
        let d = run(&words);
        assert_eq!((d.verdict, d.reason), (Verdict::Machine, "too-many-words"));
        let d = run(&[(true, 1000), (false, 60), (true, 1000)]);
        assert_eq!((d.verdict, d.reason), (Verdict::Machine, "long-greeting"));
        assert_eq!(d.after_ms, 1000 + 60 + 1000);
    }

    #[test]
    fn one_endless_word_is_a_machine_tone_or_music() {
        let settings = AmdSettings {
            greeting_ms: 10_000,
            total_ms: 20_000,
            ..AmdSettings::default()
        };
        let mut d = Detector::new(settings);
        let decision = (0..500).find_map(|_| d.feed(&VOICE)).unwrap();
        assert_eq!(
            (decision.verdict, decision.reason, decision.after_ms),
            (Verdict::Machine, "long-word", 3000)
        );
    }

    #[test]
    fn silence_or_indecision_is_unsure() {
        let d = run(&[(false, 3000)]);
        assert_eq!(
            (d.verdict, d.reason, d.after_ms),
            (Verdict::Unsure, "initial-silence", 2500)
        );
        // Short words with pauses just under the after-greeting silence, never enough of either.
        let settings = AmdSettings {
            max_words: 100,
            greeting_ms: 100_000,
            ..AmdSettings::default()
        };
        let mut det = Detector::new(settings);
        let mut decision = None;
        for i in 0..1000 {
            let voice = i % 30 < 5;
            decision = decision.or(det.feed(if voice { &VOICE } else { &SILENCE }));
        }
        let d = decision.unwrap();
        assert_eq!(
            (d.verdict, d.reason, d.after_ms),
            (Verdict::Unsure, "timeout", 5000)
        );
        assert_eq!(det.feed(&VOICE), None, "decides once");
    }
}
