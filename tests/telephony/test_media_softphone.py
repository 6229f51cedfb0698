"""A real softphone as the agent: pjsua2 (PCMU forced) calls a SIPp UAS whose answer's SDP points
at one of our media legs, so pjsua2's RTP flows to and from the engine. The agent's leg shares a
room with a customer leg fed with a 440 Hz tone by a plain RTP peer; the softphone plays 700 Hz.
Checked on the softphone's own WAV recording (it hears the customer) and on what the customer
peer receives (the agent's tone reaches it)."""

from __future__ import annotations

import gc
import socket
import subprocess
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pjsua2 as pj
import pytest

from ccengine._native import MediaEngine
from tests.telephony.rtp_peer import FRAME, RATE, tone_level, ulaw_decode, ulaw_encode
from tests.telephony.softphone import headless_endpoint

UAS_SCENARIO = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="answer with the engine's media leg">
  <recv request="INVITE" />
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=engine 1 1 IN IP4 127.0.0.1
      s=-
      c=IN IP4 127.0.0.1
      t=0 0
      m=audio LEG_PORT RTP/AVP 0
      a=rtpmap:0 PCMU/8000
    ]]>
  </send>
  <recv request="ACK" />
  <recv request="BYE" />
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
</scenario>
"""


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_tone(path: Path, hz: float, seconds: float) -> None:
    t = np.arange(int(RATE * seconds)) / RATE
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((6000 * np.sin(2 * np.pi * hz * t)).astype("<i2").tobytes())


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return data[:: w.getnchannels()], w.getframerate()


class AgentCall(pj.Call):  # type: ignore[misc]
    def __init__(self, account: pj.Account, player: pj.AudioMediaPlayer, recorder: pj.AudioMediaRecorder) -> None:
        super().__init__(account)
        self.player = player
        self.recorder = recorder
        self.connected = False

    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:  # pjsua2's callback name
        info = self.getInfo()
        for i, media in enumerate(info.media):
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                audio = self.getAudioMedia(i)
                self.player.startTransmit(audio)
                audio.startTransmit(self.recorder)
                self.connected = True


@pytest.fixture
def endpoint() -> Iterator[pj.Endpoint]:
    ep, _ = headless_endpoint()
    yield ep
    ep.libDestroy()


def test_a_softphone_agent_hears_the_customer_and_is_heard(endpoint: pj.Endpoint, tmp_path: Path) -> None:
    engine = MediaEngine("127.0.0.1")
    room = engine.create_room()
    customer_leg, _, customer_port = engine.open_leg("PCMU")
    agent_leg, _, agent_port = engine.open_leg("PCMU")
    customer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    customer.bind(("127.0.0.1", 0))
    customer.setblocking(False)
    engine.set_remote(customer_leg, "127.0.0.1", customer.getsockname()[1], 0)
    engine.add_to_room(room, customer_leg, "customer")
    # The agent leg learns pjsua2's address from its first packet (symmetric RTP).
    engine.add_to_room(room, agent_leg, "agent")

    sip_port = free_udp_port()
    scenario = tmp_path / "uas.xml"
    scenario.write_text(UAS_SCENARIO.replace("LEG_PORT", str(agent_port)))
    sipp = subprocess.Popen(
        ["timeout", "30", "sipp", "-sf", str(scenario), "-i", "127.0.0.1", "-p", str(sip_port), "-m", "1", "-nostdin"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    agent_tone = tmp_path / "agent.wav"
    write_tone(agent_tone, 700.0, 5)
    heard_by_agent = tmp_path / "agent-heard.wav"
    heard_by_customer: list[np.ndarray] = []
    # pjsua2 objects must all be gone before libDestroy (and the recorder's WAV is complete only
    # once it is destroyed): they live in this dict, emptied in `finally`.
    pjs: dict[str, object] = {}
    try:
        account = pjs["account"] = pj.Account()
        account_config = pj.AccountConfig()
        account_config.idUri = "sip:agent@127.0.0.1"
        account.create(account_config)
        player = pjs["player"] = pj.AudioMediaPlayer()
        player.createPlayer(str(agent_tone), pj.PJMEDIA_FILE_NO_LOOP)
        recorder = pjs["recorder"] = pj.AudioMediaRecorder()
        recorder.createRecorder(str(heard_by_agent))
        call = pjs["call"] = AgentCall(account, player, recorder)
        time.sleep(0.2)  # SIPp binds its port
        call.makeCall(f"sip:uas@127.0.0.1:{sip_port}", pj.CallOpParam(True))
        seq, start = 0, time.monotonic()
        deadline = start + 10
        while time.monotonic() < deadline and len(heard_by_customer) < 150:
            endpoint.libHandleEvents(5)
            if time.monotonic() >= start + seq * 0.02:
                t = (np.arange(FRAME) + seq * FRAME) / RATE
                pcm = (6000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
                header = bytes([0x80, 0]) + seq.to_bytes(2, "big") + (seq * FRAME).to_bytes(4, "big") + b"\0\0\0\1"
                customer.sendto(header + ulaw_encode(pcm), ("127.0.0.1", customer_port))
                seq += 1
            try:
                while True:
                    data = customer.recv(2048)
                    if call.connected and len(data) > 12 and data[1] & 0x7F == 0:
                        heard_by_customer.append(ulaw_decode(data[12:]))
            except BlockingIOError:
                pass
        assert call.connected, "the call's media never became active"
        call.hangup(pj.CallOpParam(True))
        for _ in range(50):
            endpoint.libHandleEvents(10)
    finally:
        call = player = recorder = account = None
        pjs.pop("call", None)
        pjs.pop("recorder", None)
        pjs.pop("player", None)
        if "account" in pjs:
            pjs.pop("account").shutdown()  # type: ignore[attr-defined]
        gc.collect()
        engine.stop()
        customer.close()
        _, sipp_err = sipp.communicate(timeout=35)

    assert sipp.returncode == 0, sipp_err.decode(errors="replace")
    customer_audio = np.concatenate(heard_by_customer[-50:])
    assert tone_level(customer_audio, 700) / 6000 > 0.4, "the agent's tone reaches the customer"
    assert tone_level(customer_audio, 440) / 6000 < 0.05, "the customer does not hear itself"
    agent_audio, rate = read_wav(heard_by_agent)
    tail = agent_audio[-rate:]  # the last second of the call
    assert tone_level(tail, 440, rate) / 6000 > 0.4, "the softphone hears the customer"
    assert tone_level(tail, 700, rate) / 6000 < 0.05, "and not its own voice"
