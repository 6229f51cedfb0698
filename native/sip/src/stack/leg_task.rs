//! One task per leg, owning the leg's rsipstack dialog: it carries out the driver's operations
//! on the dialog and translates the dialog's states into our `StackReport`s.

use std::sync::Arc;

use rsipstack::dialog::dialog::{
    DialogState, DialogStateReceiver, TerminatedReason, TransactionHandle,
};
use rsipstack::dialog::dialog_layer::DialogLayer;
use rsipstack::dialog::invitation::InviteOption;
use rsipstack::dialog::invite_dialog::InviteDialog;
use rsipstack::sip::{ContentType, Header, Method, Request, StatusCode, StatusCodeKind};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use crate::call::core::StackReport;
use crate::call::types::{HangupCause, LegId};

pub(crate) enum LegOp {
    Cancel,
    Bye(HangupCause),
    Accept(Vec<u8>),
    Ring,
    Reject(u16),
    Reinvite(Vec<u8>),
}

pub(crate) enum LegReport {
    Stack(StackReport),
    /// The peer's SDP (an answer, early media, or an offer in a re-INVITE answered below).
    Sdp(Vec<u8>),
    /// The peer re-INVITEd: the driver answers through `reply`.
    Reinvited {
        body: Vec<u8>,
        reply: TransactionHandle,
    },
}

pub(crate) type Reports = UnboundedSender<(LegId, LegReport)>;

fn sdp_headers() -> Option<Vec<Header>> {
    Some(vec![Header::ContentType(ContentType::new(
        "application/sdp",
    ))])
}

fn reason(cause: HangupCause) -> String {
    format!("Q.850;cause={};text=\"{}\"", cause.q850(), cause.as_str())
}

/// RFC 2976 INFO with `application/dtmf-relay` (`Signal=5` / `Duration=160`).
fn dtmf_of(request: &Request) -> Option<StackReport> {
    let body = std::str::from_utf8(&request.body).ok()?;
    let mut digit = None;
    let mut duration_ms = 100;
    for line in body.lines() {
        let (key, value) = line.split_once('=')?;
        match key.trim().to_ascii_lowercase().as_str() {
            "signal" => {
                digit = value
                    .trim()
                    .chars()
                    .next()
                    .filter(|c| c.is_ascii_digit() || "*#ABCD".contains(*c))
            }
            "duration" => duration_ms = value.trim().parse().unwrap_or(duration_ms),
            _ => {}
        }
    }
    Some(StackReport::Dtmf {
        digit: digit?,
        duration_ms,
    })
}

/// In-dialog requests common to both directions. Returns true when the dialog is over.
async fn on_state(leg: LegId, state: DialogState, reports: &Reports) -> bool {
    let send = |r: LegReport| {
        let _ = reports.send((leg, r));
    };
    match state {
        DialogState::Updated(_, request, reply) if request.method == Method::Invite => {
            send(LegReport::Reinvited {
                body: request.body.clone(),
                reply,
            });
        }
        DialogState::Updated(_, _, reply) => {
            let _ = reply.reply(StatusCode::OK).await;
        }
        DialogState::Info(_, request, reply) => {
            if let Some(dtmf) = dtmf_of(&request) {
                send(LegReport::Stack(dtmf));
            }
            let _ = reply.reply(StatusCode::OK).await;
        }
        DialogState::Options(_, _, reply) => {
            let _ = reply.reply(StatusCode::OK).await;
        }
        DialogState::Notify(_, _, reply)
        | DialogState::Refer(_, _, reply)
        | DialogState::Message(_, _, reply)
        | DialogState::Publish(_, _, reply) => {
            let _ = reply.reply(StatusCode::NotImplemented).await;
        }
        DialogState::Terminated(_, why) => {
            let report = match why {
                TerminatedReason::Timeout => StackReport::Unreachable,
                _ => StackReport::RemoteHangup,
            };
            send(LegReport::Stack(report));
            return true;
        }
        _ => {}
    }
    false
}

async fn run_op(dialog: &InviteDialog, op: LegOp) -> bool {
    match op {
        LegOp::Cancel => {
            let _ = dialog.cancel().await;
            false
        }
        LegOp::Bye(cause) => {
            let _ = dialog.bye_with_reason(reason(cause)).await;
            true
        }
        LegOp::Accept(sdp) => {
            let _ = dialog.accept(sdp_headers(), Some(sdp));
            false
        }
        LegOp::Ring => {
            let _ = dialog.ringing(None, None);
            false
        }
        LegOp::Reject(status) => {
            let _ = dialog.reject(Some(StatusCode::from(status)), None);
            true
        }
        LegOp::Reinvite(sdp) => {
            let _ = dialog.reinvite(sdp_headers(), Some(sdp)).await;
            false
        }
    }
}

pub(crate) async fn outbound(
    dialogs: Arc<DialogLayer>,
    option: InviteOption,
    leg: LegId,
    reports: Reports,
    mut ops: UnboundedReceiver<LegOp>,
) {
    let send = |r: LegReport| {
        let _ = reports.send((leg, r));
    };
    let (state_tx, mut states) = dialogs.new_dialog_state_channel();
    let (dialog, mut invite) = match dialogs.do_invite_async(option, state_tx) {
        Ok(started) => started,
        Err(_) => return send(LegReport::Stack(StackReport::Unreachable)),
    };
    let mut answered = false;
    let mut final_seen = false;
    loop {
        // Biased: a provisional's state is queued before the INVITE's final result resolves, so
        // taking states first keeps Trying/Ringing ahead of Answered when 180 and 200 arrive
        // back to back.
        tokio::select! {
            biased;
            state = states.recv() => match state {
                Some(DialogState::Trying(_)) if !answered => {
                    send(LegReport::Stack(StackReport::Provisional { status: 100, with_sdp: false }))
                }
                Some(DialogState::Early(_, response)) if !answered => {
                    let with_sdp = !response.body.is_empty();
                    if with_sdp {
                        send(LegReport::Sdp(response.body.clone()));
                    }
                    send(LegReport::Stack(StackReport::Provisional { status: response.status_code.code(), with_sdp }));
                }
                // Before the final answer, termination is reported through the INVITE's result.
                Some(DialogState::Terminated(..)) if !answered => {}
                Some(state) => if on_state(leg, state, &reports).await { break },
                None => break,
            },
            result = &mut invite, if !final_seen => {
                final_seen = true;
                match result {
                    Ok(Ok((_, Some(response)))) if response.status_code.kind() == StatusCodeKind::Successful => {
                        answered = true;
                        send(LegReport::Sdp(response.body.clone()));
                        send(LegReport::Stack(StackReport::Answered));
                    }
                    Ok(Ok((_, Some(response)))) => {
                        send(LegReport::Stack(StackReport::Failed { status: response.status_code.code() }));
                        break;
                    }
                    _ => {
                        send(LegReport::Stack(StackReport::Unreachable));
                        break;
                    }
                }
            },
            op = ops.recv() => match op {
                Some(op) => if run_op(&dialog, op).await { break },
                // The driver forgot the leg (shutdown): end the call politely.
                None => {
                    let _ = dialog.hangup().await;
                    break;
                }
            },
        }
    }
    // A CANCELled INVITE still gets its final answer: wait for it so the stack ACKs it.
    if !final_seen {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(32), invite).await;
    }
    dialogs.remove_dialog(&dialog.id());
}

pub(crate) async fn inbound(
    dialogs: Arc<DialogLayer>,
    dialog: InviteDialog,
    mut states: DialogStateReceiver,
    leg: LegId,
    reports: Reports,
    mut ops: UnboundedReceiver<LegOp>,
) {
    loop {
        tokio::select! {
            state = states.recv() => match state {
                Some(state) => if on_state(leg, state, &reports).await { break },
                None => break,
            },
            op = ops.recv() => match op {
                Some(op) => if run_op(&dialog, op).await { break },
                None => {
                    if matches!(dialog.state(), DialogState::Confirmed(..) | DialogState::WaitAck(..)) {
                        let _ = dialog.bye().await;
                    } else {
                        let _ = dialog.reject(Some(StatusCode::TemporarilyUnavailable), None);
                    }
                    break;
                }
            },
        }
    }
    dialogs.remove_dialog(&dialog.id());
}
