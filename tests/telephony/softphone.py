"""An agent's softphone for the tests: pjsua2 (a real PJSIP user agent) registering to the engine
with digest credentials and answering its calls. Driven from the trio thread: pjsua2 runs with
no threads of its own (``threadCnt = 0``, ``mainThreadOnly``) and ``pump`` handles its events."""

from __future__ import annotations

from dataclasses import dataclass, field

import pjsua2 as pj
import trio


def headless_endpoint() -> tuple[pj.Endpoint, int]:
    """A started pjsua2 Endpoint for tests, and its SIP port: no threads of its own (poll
    ``libHandleEvents``), UDP on 127.0.0.1, the null sound device, PCMU only. pjsua2 allows one
    per process."""
    ep = pj.Endpoint()
    ep.libCreate()
    config = pj.EpConfig()
    config.uaConfig.threadCnt = 0
    config.uaConfig.mainThreadOnly = True
    config.logConfig.level = 0
    config.logConfig.consoleLevel = 0
    ep.libInit(config)
    # pjsua2-python's bundled OpenSSL must be initialised before MD5 digests work.
    ep.utilSslGetAvailableCiphers()
    transport = pj.TransportConfig()
    transport.port = 0
    transport.boundAddress = "127.0.0.1"
    transport_id = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
    ep.libStart()
    ep.audDevManager().setNullDev()
    # Speex is the default codec and distorts tones; the engine speaks G.711: PCMU only.
    for codec in ep.codecEnum2():
        ep.codecSetPriority(codec.codecId, 255 if codec.codecId.startswith("PCMU/") else 0)
    return ep, int(ep.transportGetInfo(transport_id).localName.rsplit(":", 1)[1])


@dataclass
class PhoneState:
    registered: int | None = None
    call_states: list[str] = field(default_factory=list)


class _Call(pj.Call):  # type: ignore[misc]
    def __init__(self, phone: Softphone, account: pj.Account, call_id: int) -> None:
        super().__init__(account, call_id)
        self._phone = phone

    def onCallState(self, prm: pj.OnCallStateParam) -> None:
        self._phone.state.call_states.append(self.getInfo().stateText)

    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:
        # Send the (silent) null capture device to the engine, so RTP flows.
        media = self.getAudioMedia(-1)
        self._phone.endpoint.audDevManager().getCaptureDevMedia().startTransmit(media)


class _Account(pj.Account):  # type: ignore[misc]
    def __init__(self, phone: Softphone) -> None:
        super().__init__()
        self._phone = phone

    def onRegState(self, prm: pj.OnRegStateParam) -> None:
        self._phone.state.registered = prm.code

    def onIncomingCall(self, prm: pj.OnIncomingCallParam) -> None:
        call = _Call(self._phone, self, prm.callId)
        self._phone.calls.append(call)
        answer = pj.CallOpParam()
        answer.statusCode = 200
        call.answer(answer)


class Softphone:
    account: _Account
    endpoint: pj.Endpoint

    def __init__(self, *, user: str, password: str, registrar: tuple[str, int]) -> None:
        self.state = PhoneState()
        self.calls: list[_Call] = []
        ep, _ = headless_endpoint()
        self.endpoint = ep
        host, port = registrar
        account = pj.AccountConfig()
        account.idUri = f"sip:{user}@{host}:{port}"
        account.regConfig.registrarUri = f"sip:{host}:{port}"
        account.regConfig.timeoutSec = 300
        account.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", user, 0, password))
        account.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
        self.account = _Account(self)
        self.account.create(account)

    async def pump(self) -> None:
        """Handle pjsua2's events until cancelled."""
        while True:
            self.endpoint.libHandleEvents(0)
            await trio.sleep(0.005)

    def hangup_all(self) -> None:
        self.endpoint.hangupAllCalls()

    def close(self) -> None:
        # Calls must be gone before libDestroy, or the process aborts; and pjsua2 allows one
        # Endpoint object at a time: drop ours so the next phone can make its own.
        self.calls.clear()
        self.account.shutdown()
        del self.account
        self.endpoint.libDestroy()
        del self.endpoint
