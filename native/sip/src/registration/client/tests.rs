use super::*;
use crate::digest::{Algorithm, DigestServer};

const URI: &str = "sip:127.0.0.1:5060";

fn binding(credentials: Option<(&str, &str)>) -> Binding {
    Binding {
        user: "1001".into(),
        credentials: credentials.map(|(u, p)| (u.into(), p.into())),
        request_uri: URI.into(),
        expires: 120,
    }
}

fn sent(actions: &[Action]) -> Request {
    match actions {
        [Action::Send(request)] => request.clone(),
        other => panic!("expected one REGISTER, got {other:?}"),
    }
}

fn reported(actions: &[Action]) -> Outcome {
    match actions {
        [Action::Report(outcome)] => *outcome,
        other => panic!("expected one report, got {other:?}"),
    }
}

fn answer(cseq: u32, status: u16) -> Response {
    Response {
        cseq,
        status,
        ..Response::default()
    }
}

fn challenge(server: &DigestServer, cseq: u32, stale: bool) -> Response {
    Response {
        challenges: server.challenges(1000, stale),
        ..answer(cseq, 401)
    }
}

fn ok(cseq: u32, granted: u32) -> Response {
    Response {
        granted: Some(granted),
        ..answer(cseq, 200)
    }
}

/// Start a registration and take it through the registrar's challenge; returns the answer sent.
fn through_challenge(r: &mut Registration, server: &DigestServer, t0: Instant) -> Request {
    let first = sent(&r.expire(t0));
    assert_eq!((first.expires, first.authorization.clone()), (120, None));
    sent(&r.on_response(&challenge(server, first.cseq, false), t0))
}

#[test]
fn registers_through_a_digest_challenge_then_refreshes_at_half_time() {
    let t0 = Instant::now();
    let start = t0 + Duration::from_millis(8);
    let mut r = Registration::new(binding(Some(("1001", "s3cret"))), start);
    assert!(r.expire(t0).is_empty(), "not before its start");
    assert_eq!(r.next_deadline(), Some(start));
    let server = DigestServer::new("cc", &[Algorithm::Sha256, Algorithm::Md5]);
    let answered = through_challenge(&mut r, &server, start);
    let (header, value) = answered.authorization.clone().unwrap();
    assert_eq!(header, AuthHeader::Authorization);
    let lookup = |u: &str| (u == "1001").then_some("s3cret");
    assert_eq!(
        server.verify(&value, "REGISTER", 1001, lookup),
        Ok("1001".into())
    );
    assert!(value.contains("algorithm=SHA-256"));

    let granted = r.on_response(&ok(answered.cseq, 100), start);
    assert_eq!(reported(&granted), Outcome::Registered { expires: 100 });
    let refresh_at = start + Duration::from_secs(50);
    assert_eq!(r.next_deadline(), Some(refresh_at));
    assert!(r.expire(refresh_at - Duration::from_millis(1)).is_empty());
    let refresh = sent(&r.expire(refresh_at));
    assert_eq!((refresh.cseq, refresh.authorization), (3, None));
    // Without a granted time in the answer, what we asked for holds.
    let again = r.on_response(&answer(3, 200), refresh_at);
    assert_eq!(reported(&again), Outcome::Registered { expires: 120 });
}

#[test]
fn a_wrong_password_fails_and_retries_later_and_later() {
    let t0 = Instant::now();
    let mut r = Registration::new(binding(Some(("1001", "guess"))), t0);
    let server = DigestServer::new("cc", &[Algorithm::Md5]);
    let mut now = t0;
    let mut delays = Vec::new();
    for _ in 0..8 {
        let answered = through_challenge(&mut r, &server, now);
        let refused = r.on_response(&challenge(&server, answered.cseq, false), now);
        assert_eq!(
            reported(&refused),
            Outcome::Failed {
                failure: Failure::WrongCredentials,
                status: 401
            }
        );
        let retry_at = r.next_deadline().unwrap();
        delays.push((retry_at - now).as_secs());
        now = retry_at;
    }
    assert_eq!(delays, vec![5, 10, 20, 40, 80, 160, 300, 300]);
}

#[test]
fn forbidden_after_our_answer_means_wrong_credentials_before_it_a_refusal() {
    let t0 = Instant::now();
    let server = DigestServer::new("cc", &[Algorithm::Md5]);
    let mut r = Registration::new(binding(Some(("1001", "guess"))), t0);
    let answered = through_challenge(&mut r, &server, t0);
    assert_eq!(
        reported(&r.on_response(&answer(answered.cseq, 403), t0)),
        Outcome::Failed {
            failure: Failure::WrongCredentials,
            status: 403
        }
    );
    let mut r = Registration::new(binding(Some(("1001", "guess"))), t0);
    let first = sent(&r.expire(t0));
    assert_eq!(
        reported(&r.on_response(&answer(first.cseq, 403), t0)),
        Outcome::Failed {
            failure: Failure::Rejected,
            status: 403
        }
    );
}

#[test]
fn stale_nonces_are_answered_again_a_few_times() {
    let t0 = Instant::now();
    let server = DigestServer::new("cc", &[Algorithm::Md5]);
    let mut r = Registration::new(binding(Some(("1001", "s3cret"))), t0);
    let mut request = through_challenge(&mut r, &server, t0);
    for _ in 0..2 {
        request = sent(&r.on_response(&challenge(&server, request.cseq, true), t0));
        assert!(request.authorization.is_some());
    }
    assert_eq!(
        reported(&r.on_response(&challenge(&server, request.cseq, true), t0)),
        Outcome::Failed {
            failure: Failure::WrongCredentials,
            status: 401
        }
    );
}

#[test]
fn proxy_challenges_are_answered_in_proxy_authorization() {
    let t0 = Instant::now();
    let mut r = Registration::new(binding(Some(("trunk", "pw"))), t0);
    let first = sent(&r.expire(t0));
    let proxy = Response {
        challenges: vec!["Digest realm=\"carrier\", nonce=\"abc\"".into()],
        ..answer(first.cseq, 407)
    };
    let answered = sent(&r.on_response(&proxy, t0));
    let (header, value) = answered.authorization.unwrap();
    assert_eq!(header, AuthHeader::ProxyAuthorization);
    assert!(value.starts_with("Digest username=\"trunk\", realm=\"carrier\", nonce=\"abc\""));
    assert!(!value.contains("qop"), "no qop offered: RFC 2069 answer");
}

#[test]
fn challenges_it_cannot_answer_fail_with_a_reason() {
    let t0 = Instant::now();
    let mut r = Registration::new(binding(None), t0);
    let first = sent(&r.expire(t0));
    let server = DigestServer::new("cc", &[Algorithm::Md5]);
    assert_eq!(
        reported(&r.on_response(&challenge(&server, first.cseq, false), t0)),
        Outcome::Failed {
            failure: Failure::NoCredentials,
            status: 401
        }
    );
    let mut r = Registration::new(binding(Some(("1001", "x"))), t0);
    let first = sent(&r.expire(t0));
    let odd = Response {
        challenges: vec!["Digest realm=\"r\", nonce=\"n\", algorithm=AKAv1-MD5".into()],
        ..answer(first.cseq, 401)
    };
    assert_eq!(
        reported(&r.on_response(&odd, t0)),
        Outcome::Failed {
            failure: Failure::UnsupportedChallenge,
            status: 401
        }
    );
    let mut r = Registration::new(binding(Some(("1001", "x"))), t0);
    let first = sent(&r.expire(t0));
    assert_eq!(
        reported(&r.on_response(&answer(first.cseq, 401), t0)),
        Outcome::Failed {
            failure: Failure::UnsupportedChallenge,
            status: 401
        },
        "a 401 without any challenge"
    );
}

#[test]
fn interval_too_brief_raises_the_expiry_once() {
    let t0 = Instant::now();
    let mut r = Registration::new(binding(None), t0);
    let first = sent(&r.expire(t0));
    let brief = Response {
        min_expires: Some(600),
        ..answer(first.cseq, 423)
    };
    let raised = sent(&r.on_response(&brief, t0));
    assert_eq!(raised.expires, 600);
    let again = Response {
        min_expires: Some(600),
        ..answer(raised.cseq, 423)
    };
    assert_eq!(
        reported(&r.on_response(&again, t0)),
        Outcome::Failed {
            failure: Failure::Rejected,
            status: 423
        }
    );
    let retry = sent(&r.expire(r.next_deadline().unwrap()));
    assert_eq!(
        retry.expires, 120,
        "a retry asks for the configured time again"
    );
}

#[test]
fn lost_answers_and_stray_ones() {
    let t0 = Instant::now();
    let mut r = Registration::new(binding(None), t0);
    let first = sent(&r.expire(t0));
    assert!(
        r.on_response(&ok(first.cseq + 7, 60), t0).is_empty(),
        "another CSeq"
    );
    assert!(
        r.on_response(&answer(first.cseq, 100), t0).is_empty(),
        "provisional"
    );
    assert!(r.no_response(first.cseq + 7, t0).is_empty());
    let lost_at = t0 + ANSWER_TIMEOUT;
    assert_eq!(r.next_deadline(), Some(lost_at));
    assert_eq!(
        reported(&r.expire(lost_at)),
        Outcome::Failed {
            failure: Failure::NoResponse,
            status: 0
        }
    );
    let retry = sent(&r.expire(lost_at + RETRY_FIRST));
    assert_eq!(
        reported(&r.no_response(retry.cseq, lost_at + RETRY_FIRST)),
        Outcome::Failed {
            failure: Failure::NoResponse,
            status: 0
        }
    );
    assert_eq!(r.next_deadline(), Some(lost_at + RETRY_FIRST * 3));
    assert!(
        r.on_response(&ok(retry.cseq, 60), t0).is_empty(),
        "answer after giving up"
    );
}

#[test]
fn a_zero_grant_is_not_a_registration() {
    let t0 = Instant::now();
    let mut r = Registration::new(binding(None), t0);
    let first = sent(&r.expire(t0));
    assert_eq!(
        reported(&r.on_response(&ok(first.cseq, 0), t0)),
        Outcome::Failed {
            failure: Failure::Rejected,
            status: 200
        }
    );
}

#[test]
fn stopping_removes_a_binding_and_answers_its_challenge() {
    let t0 = Instant::now();
    let server = DigestServer::new("cc", &[Algorithm::Md5]);
    let mut r = Registration::new(binding(Some(("1001", "s3cret"))), t0);
    let answered = through_challenge(&mut r, &server, t0);
    r.on_response(&ok(answered.cseq, 120), t0);
    let later = t0 + Duration::from_secs(10);
    let remove = sent(&r.stop(later));
    assert_eq!((remove.expires, remove.authorization), (0, None));
    assert!(
        r.stop(later).is_empty(),
        "stopping twice sends nothing more"
    );
    let answered = sent(&r.on_response(&challenge(&server, remove.cseq, false), later));
    assert_eq!(answered.expires, 0);
    assert!(answered.authorization.is_some());
    assert_eq!(
        reported(&r.on_response(&ok(answered.cseq, 0), later)),
        Outcome::Unregistered
    );
    assert!(r.is_done());
    assert_eq!(r.next_deadline(), None);
}

#[test]
fn stopping_without_a_binding_ends_at_once_and_failures_do_not_retry() {
    let t0 = Instant::now();
    let mut never = Registration::new(binding(None), t0 + Duration::from_secs(1));
    assert!(never.stop(t0).is_empty());
    assert!(never.is_done());
    assert!(never.expire(t0 + Duration::from_secs(2)).is_empty());

    let mut in_flight = Registration::new(binding(None), t0);
    sent(&in_flight.expire(t0));
    let remove = sent(&in_flight.stop(t0));
    assert_eq!(remove.expires, 0);
    assert_eq!(
        reported(&in_flight.no_response(remove.cseq, t0)),
        Outcome::Failed {
            failure: Failure::NoResponse,
            status: 0
        }
    );
    assert!(in_flight.is_done(), "no retry once stopping");
}
