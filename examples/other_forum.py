#!/usr/bin/env python3
"""Play "another forum" against a running server (``make run``), using only the public API (docs/api.md).

    make run                                   # in one terminal: the demo at http://127.0.0.1:8000/
    python examples/other_forum.py             # in another: creates a key with the command, then plays

What it does, as a forum written in any language would:

1. gets an API key: runs (and prints) ``python manage.py create_api_client …`` — or pass ``--key``/``API_KEY``;
2. starts a tiny webhook receiver (``http.server`` in a thread) that verifies the Standard Webhooks
   signature with nothing but ``hmac`` and refuses stale timestamps, and registers it;
3. submits posts: an honest human-only post, an honestly disclosed AI-assisted post with an AI-written
   block from a new author, a post from a forum that collects no disclosure, one in a category that requires
   a disclosure (422 with the policy URL), and a contradictory one (400 with field errors); retries one with
   an ``Idempotency-Key``;
4. polls each verdict; waits for the signed ``submission.queued`` webhook;
5. says it deleted a post itself, then restored it (``PUT``/``DELETE /submissions/{id}/removal``);
6. claims and decides the review item, retries the decision with its ``Idempotency-Key`` (the same 200) and sees
   409 when deciding again without it, then waits for ``review.decided``;
7. deletes its webhook on the way out (its receiver stops with the script).

Standard library only (``urllib``, ``http.server``, ``hmac``), so it doubles as a template for other stacks.
Exit status 0 when every step behaved as documented.
"""
from __future__ import annotations

import argparse
import atexit
import base64
import hashlib
import hmac
import json
import os
import queue
import shlex
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOLERANCE_SECONDS = 5 * 60


# --- HTTP helpers -----------------------------------------------------------------------------------

class Api:
    def __init__(self, base: str, key: str | None):
        self.base, self.key = base.rstrip("/"), key

    def call(self, method: str, path: str, body=None, headers: dict | None = None) -> tuple[int, dict | list]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base}{path}", data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.key:
            request.add_header("Authorization", f"Bearer {self.key}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, self._json(response.read(), path)
        except urllib.error.HTTPError as error:
            return error.code, self._json(error.read(), path)

    def _json(self, raw: bytes, path: str) -> dict | list:
        """The API answers JSON, errors included: anything else is not the API (a wrong --base-url)."""
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            sys.exit(f"{self.base}{path} did not answer JSON: is --base-url the API's root "
                     "(http://host:port/api/v1)?")


def step(message: str) -> None:
    print(f"\n== {message}")


def expect(condition: bool, message: str, detail=None) -> None:
    if not condition:
        print(f"   FAILED: {message}")
        if detail is not None:
            print("   " + json.dumps(detail, indent=2, ensure_ascii=False).replace("\n", "\n   "))
        sys.exit(1)
    print(f"   ok: {message}")


def wait_for(predicate, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(1)
    expect(False, f"{what} within {timeout:.0f}s")


# --- The webhook receiver -----------------------------------------------------------------------------

def verify_standard_webhook(secret: str, headers, body: bytes) -> dict:
    """Standard Webhooks verification: HMAC-SHA256 over "id.timestamp.body" with the base64 secret."""
    msg_id, timestamp, signatures = (headers.get("webhook-id"), headers.get("webhook-timestamp"),
                                     headers.get("webhook-signature"))
    if not (msg_id and timestamp and signatures):
        raise ValueError("missing webhook headers")
    if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        raise ValueError("stale or future timestamp (replay?)")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest())
    for candidate in signatures.split(" "):
        version, _, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(signature.encode(), expected):
            return json.loads(body)
    raise ValueError("no matching signature")


class Receiver:
    def __init__(self):
        self.secret = ""
        self.events: queue.Queue = queue.Queue()
        self.seen_ids: set[str] = set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    event = verify_standard_webhook(receiver.secret, self.headers, body)
                except ValueError as exc:
                    print(f"   receiver refused a request: {exc}")
                    self.send_response(400)
                    self.end_headers()
                    return
                msg_id = self.headers["webhook-id"]
                if msg_id not in receiver.seen_ids:  # retries carry the same id: handle each event once
                    receiver.seen_ids.add(msg_id)
                    receiver.events.put(event)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/moderation"

    def wait(self, event_type: str, submission_id: str, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        held = []
        try:
            while time.monotonic() < deadline:
                try:
                    event = self.events.get(timeout=max(0.1, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if event["type"] == event_type and event["data"]["id"] == submission_id:
                    return event
                held.append(event)
        finally:
            for event in held:
                self.events.put(event)
        expect(False, f"a signed {event_type} webhook for {submission_id} within {timeout:.0f}s")


# --- The play -----------------------------------------------------------------------------------------

def create_key(name: str) -> str:
    venv_python = ROOT / ".venv" / "bin" / "python"
    command = [str(venv_python) if venv_python.exists() else sys.executable, "manage.py", "create_api_client", name, "--scopes", "submit,moderate",
               "--require-disclosure-in", "news", "--policy-url", "https://other-forum.example/ai-policy"]
    print("   $ DEBUG=1 " + shlex.join(["python", *command[1:]]))
    if not (ROOT / "manage.py").exists():
        print("   Run that command where the server is installed and pass the key with --key.")
        sys.exit(2)
    # The demo (`make run`) runs with DEBUG=1; outside DEBUG every command refuses the demo key and demo users.
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1")}
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        print(result.stderr.strip())
        sys.exit(2)
    return result.stdout.strip().splitlines()[-1]  # the key is alone on the last line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default=os.environ.get("API_BASE_URL", "http://127.0.0.1:8000/api/v1"))
    parser.add_argument("--key", default=os.environ.get("API_KEY"), help="an API key (else one is created)")
    parser.add_argument("--timeout", type=float, default=90, help="seconds to wait for each verdict/webhook")
    args = parser.parse_args()
    run_id = uuid.uuid4().hex[:6]

    step("Health (no key needed)")
    status, health = Api(args.base_url, None).call("GET", "/health")
    expect(status == 200 and health.get("status") == "ok", "GET /health is ok", health)

    step("API key")
    key = args.key or create_key(f"other-forum-{run_id}")
    api = Api(args.base_url, key)
    status, body = Api(args.base_url, "adk_wrong_key").call("GET", "/review-items")
    expect(status == 401, "a wrong key is 401", body)

    step("Disclosure schema")
    status, schema = api.call("GET", "/disclosure-schema")
    expect(status == 200 and "human_only" in schema.get("properties", {}), "GET /disclosure-schema", schema)

    step("Webhook receiver")
    receiver = Receiver()
    status, hook = api.call("POST", "/webhooks", {"url": receiver.url, "events": [
        "submission.evaluated", "submission.queued", "review.decided"]})
    expect(status == 201 and hook.get("secret", "").startswith("whsec_"), f"registered {receiver.url}", hook)
    receiver.secret = hook["secret"]
    # The receiver dies with this script: unregister it on the way out (success or not), or the server keeps
    # retrying a dead address for hours.
    atexit.register(lambda: api.call("DELETE", f"/webhooks/{hook['id']}"))

    def post(external_id, *, body, disclosure="omit", standing="regular", category="general", headers=None):
        payload = {"external_id": f"{run_id}-{external_id}", "title": f"Post {external_id}", "body": body,
                   "format": "markdown", "category": category,
                   "author": {"external_id": f"user-{external_id}", "display_name": external_id.title(),
                              "standing": standing}}
        if disclosure != "omit":
            payload["disclosure"] = disclosure
        return api.call("POST", "/submissions", payload, headers)

    step("Submissions")
    status, human = post("human", body="I wrote this reply myself, between two train stations.",
                         disclosure={"human_only": True})
    expect(status == 202 and human["status"] == "pending", "honest human-only post → 202 pending", human)

    ai_body = ("My question about the proof is below.\n\n:::ai-written model=\"Claude\"\n"
               "Here is a summary of the lemma and the two cases it splits into.\n:::\n\nThanks for reading.")
    ai_disclosure = {"human_only": False, "assistance": [{"kind": "drafting", "extent": "substantial"}],
                     "tools": ["Claude"], "ai_share_percent": 40,
                     "process": "The model summarised the lemma in the marked block; I wrote the question."}
    status, ai_post = post("ai", body=ai_body, disclosure=ai_disclosure, standing="new",
                           headers={"Idempotency-Key": f"{run_id}-ai"})
    expect(status == 202, "honestly disclosed AI-assisted post from a new author → 202", ai_post)
    status, again = post("ai", body=ai_body, disclosure=ai_disclosure, standing="new",
                         headers={"Idempotency-Key": f"{run_id}-ai"})
    expect(status == 202 and again["id"] == ai_post["id"], "retry with the same Idempotency-Key → same answer",
           again)
    status, same = post("ai", body=ai_body, disclosure=ai_disclosure, standing="new")
    expect(status == 200 and same["new_revision"] is False, "unchanged resubmission → 200, nothing re-queued",
           same)

    status, undisclosed = post("nodisclosure", body="A forum that collects no disclosure sent this.")
    expect(status == 202 and undisclosed["label"]["value"] == "not_disclosed",
           "no disclosure → not_disclosed (never 'human')", undisclosed)

    status, refused = post("news", body="Breaking: a thing happened.", category="news")
    expect(status == 422 and refused.get("policy_url"), "category that requires a disclosure → 422 + policy URL",
           refused)

    status, invalid = post("contradiction", body=ai_body, disclosure={"human_only": True})
    fields = [e["field"] for e in invalid.get("errors", [])]
    expect(status == 400 and "disclosure.human_only" in fields, f"contradiction → 400 with field errors {fields}",
           invalid)

    step("Verdicts (polling)")
    for name, created in (("human", human), ("ai", ai_post), ("nodisclosure", undisclosed)):
        verdict = wait_for(lambda c=created: (lambda b: b if b["status"] != "pending" else None)(
            api.call("GET", f"/submissions/{c['id']}")[1]), timeout=args.timeout, what=f"a verdict for {name}")
        print(f"   {name}: status={verdict['status']} reasons={verdict['reasons']} "
              f"label={verdict['label']['value']} ({verdict['label']['source']}) "
              f"classifiers={[r['classifier'] for r in verdict['classifier_results']]}")
    detail = api.call("GET", f"/submissions/{ai_post['id']}")[1]
    expect("<" in detail["rendered_html"], "rendered_html is ready to display", detail)

    step("Webhooks")
    if detail["status"] == "queued":
        event = receiver.wait("submission.queued", ai_post["id"], args.timeout)
        expect(True, f"signed submission.queued received (reasons {event['data']['review_item']['reasons']})")
    else:
        receiver.wait("submission.evaluated", ai_post["id"], args.timeout)
        expect(True, f"signed submission.evaluated received (the policy chose {detail['status']})")

    step("Your forum deletes a post itself, then restores it")
    before = api.call("GET", f"/submissions/{human['id']}")[1]["status"]
    status, removed = api.call("PUT", f"/submissions/{human['id']}/removal",
                               {"reason": "deleted_by_author", "note": "The author deleted it."})
    expect(status == 200 and removed["removed_in_forum"]["reason"] == "deleted_by_author"
           and removed["status"] == before, "PUT /removal → 200, status unchanged", removed)
    status, bad = api.call("PUT", f"/submissions/{human['id']}/removal", {"reason": "because"})
    expect(status == 400 and [e["field"] for e in bad["errors"]] == ["reason"], "unknown reason → 400 on reason", bad)
    status, restored = api.call("DELETE", f"/submissions/{human['id']}/removal")
    expect(status == 200 and restored["removed_in_forum"] is None, "DELETE /removal → 200, restored", restored)

    step("Review queue")
    status, page = api.call("GET", "/review-items?status=open&ordering=-priority")
    expect(status == 200, "GET /review-items", page)
    item = next((i for i in page["results"] if i["submission"]["id"] == ai_post["id"]), None)
    if item is None:
        print("   The policy did not queue the AI-assisted post on this server; nothing to decide.")
        return
    status, claimed = api.call("POST", f"/review-items/{item['id']}/claim", {"version": item["version"]})
    expect(status == 200 and claimed["status"] == "claimed", "claim → 200", claimed)
    decision = {"action": "approve", "reason": "disclosed", "message": "Thanks for disclosing.",
                "version": claimed["version"]}
    status, decided = api.call("POST", f"/review-items/{item['id']}/decision", decision,
                               headers={"Idempotency-Key": f"{run_id}-decide"})
    expect(status == 200 and decided["decision"]["action"] == "approve", "decision → 200", decided)
    status, retried = api.call("POST", f"/review-items/{item['id']}/decision", decision,
                               headers={"Idempotency-Key": f"{run_id}-decide"})
    expect(status == 200 and retried == decided, "the same decision retried with its Idempotency-Key → its 200 "
           "again, not a 409", retried)
    status, twice = api.call("POST", f"/review-items/{item['id']}/decision",
                             {"action": "reject", "reason": "x", "version": claimed["version"]})
    expect(status == 409, "deciding again → 409", twice)
    event = receiver.wait("review.decided", ai_post["id"], args.timeout)
    expect(event["data"]["decision"]["action"] == "approve", "signed review.decided received")

    status, deliveries = api.call("GET", f"/webhooks/{hook['id']}/deliveries")
    delivered = [d for d in deliveries["results"] if d["status"] == "delivered"]
    expect(status == 200 and delivered, f"{len(delivered)} deliveries logged with status codes and latency")
    print("\nAll steps behaved as documented.")


if __name__ == "__main__":
    main()
