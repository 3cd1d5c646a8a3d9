#!/usr/bin/env python3
"""Browser test of `whence serve`'s web UI in a real headless Chromium, driven
over the DevTools protocol (Python stdlib only: a minimal websocket client).

    python3 scripts/ui_test.py [path/to/whence]   (default target/debug/whence)

Builds an index of the demo corpus (without demo/rewrite.txt) in a temporary
directory, starts `whence serve` on a free loopback port, and checks what a
person sees: paste the demo rewrite into "Check an article", see demo/wire.txt
among its sources and the quote it reuses highlighted on both sides, click a
passage and see its counterpart lit, follow the link to wire's document page,
then the feed, the corpus view, a side-by-side page, and a phone-width check.
Screenshots go to target/ui-screenshots/. Exits 0 with a SKIP line when
chromium is not installed.
"""

import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHOTS = os.path.join(REPO, "target", "ui-screenshots")


class Socket:
    """A websocket client, enough for the DevTools protocol (text frames)."""

    def __init__(self, url):
        assert url.startswith("ws://")
        hostport, path = url[5:].split("/", 1)
        host, port = hostport.split(":")
        self.s = socket.create_connection((host, int(port)), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall(
            (
                f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.s.recv(1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"no websocket: {head!r}")
        self.next_id = 0

    def _read(self, n):
        b = b""
        while len(b) < n:
            chunk = self.s.recv(n - len(b))
            if not chunk:
                raise RuntimeError("the browser closed the connection")
            b += chunk
        return b

    def send(self, text):
        data = text.encode()
        head = bytes([0x81])
        n = len(data)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.s.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            op = b0 & 0x0F
            if op == 0x8:
                raise RuntimeError("the browser closed the websocket")
            if op in (0x9, 0xA):
                continue
            message += payload
            if b0 & 0x80:
                return message.decode()

    def call(self, method, **params):
        self.next_id += 1
        me = self.next_id
        self.send(json.dumps({"id": me, "method": method, "params": params}))
        while True:
            m = json.loads(self.recv())
            if m.get("id") == me:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})


class Page:
    def __init__(self, ws):
        self.ws = ws

    def js(self, expr):
        r = self.ws.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expr}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait(self, expr, what, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            if self.js(expr):
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}")

    def go(self, url):
        self.ws.call("Page.navigate", url=url)

    def size(self, w, h, mobile=False):
        self.ws.call(
            "Emulation.setDeviceMetricsOverride",
            width=w,
            height=h,
            deviceScaleFactor=1,
            mobile=mobile,
        )

    def shot(self, name, full=True):
        params = {"format": "png"}
        if full:
            m = self.ws.call("Page.getLayoutMetrics")
            cs = m.get("cssContentSize") or m["contentSize"]
            params["clip"] = {
                "x": 0,
                "y": 0,
                "width": cs["width"],
                "height": min(cs["height"], 4000),
                "scale": 1,
            }
            params["captureBeyondViewport"] = True
        data = self.ws.call("Page.captureScreenshot", **params)["data"]
        path = os.path.join(SHOTS, name)
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        print(f"  screenshot {os.path.relpath(path, REPO)}")


def http(url, body=None, headers=None):
    req = urllib.request.Request(url, data=body, headers=headers or {})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def demo(name):
    with open(os.path.join(REPO, "demo", name), encoding="utf-8") as f:
        return f.read()


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "target", "debug", "whence")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("SKIP ui_test: chromium is not installed (apt-get install -y chromium)")
        return 0
    if not os.path.exists(binary):
        print(f"FAIL ui_test: no whence binary at {binary}")
        return 1
    os.makedirs(SHOTS, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="whence-ui-")
    procs = []
    try:
        corpus = os.path.join(tmp, "corpus.jsonl")
        with open(corpus, "w", encoding="utf-8") as f:
            for doc_id, name, site, date in [
                ("wire", "wire.txt", "wire-agency", "2024-05-07T06:00:00Z"),
                ("reprint", "reprint.txt", "valley-gazette", "2024-05-07T09:30:00Z"),
                ("unrelated", "unrelated.txt", "town-news", "2024-05-04T10:00:00Z"),
            ]:
                f.write(json.dumps({"id": doc_id, "text": demo(name), "site": site, "date": date}) + "\n")
        index = os.path.join(tmp, "idx")
        subprocess.run([binary, "index", "build", corpus, "--index", index, "--quiet"], check=True)
        server = subprocess.Popen(
            [binary, "serve", "--index", index, "--addr", "127.0.0.1:0"],
            stderr=subprocess.PIPE,
            text=True,
        )
        procs.append(server)
        line = server.stderr.readline()
        base = "http://" + line.split("http://")[1].split("/")[0]
        print(f"  whence serve at {base}")
        t0 = time.time()
        browser = subprocess.Popen(
            [
                chromium,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--remote-debugging-port=0",
                f"--user-data-dir={os.path.join(tmp, 'profile')}",
                "about:blank",
            ],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        procs.append(browser)
        ws_url = None
        for _ in range(200):
            line = browser.stderr.readline()
            if "DevTools listening on" in line:
                ws_url = line.split("listening on ")[1].strip()
                break
        if not ws_url:
            print("FAIL ui_test: chromium did not start its DevTools endpoint")
            return 1
        port = ws_url.split("//")[1].split("/")[0]
        targets = json.loads(urllib.request.urlopen(f"http://{port}/json/list", timeout=30).read())
        page_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        page = Page(Socket(page_url))
        page.ws.call("Page.enable")
        page.ws.call("Runtime.enable")
        page.size(1280, 900)

        # 1. check an article: paste the rewrite
        t_nav = time.time()
        page.go(base + "/#/check")
        page.wait("!!document.getElementById('text')", "the check form")
        # the paint entry can come after the form is in the DOM (seen under
        # load): poll for it a little; a figure, printed, never asserted
        fcp = "(performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint') || {}).startTime || null"
        paint, end = None, time.time() + 3
        while paint is None and time.time() < end:
            paint = page.js(fcp)
            if paint is None:
                time.sleep(0.05)
        print(f"  first contentful paint {paint if paint is not None else 'not reported'} ms after navigation start (loopback)")
        page.js("document.getElementById('text').focus()")
        page.ws.call("Input.insertText", text=demo("rewrite.txt"))
        # Ctrl+Enter sends it (the keyboard path)
        for kind in ("keyDown", "keyUp"):
            page.ws.call(
                "Input.dispatchKeyEvent",
                type=kind,
                key="Enter",
                code="Enter",
                windowsVirtualKeyCode=13,
                modifiers=2,
            )
        page.wait("!!document.querySelector('.verdict')", "the verdict")
        sources = page.js("[...document.querySelectorAll('table.list td.src a')].map(a => a.textContent)")
        print(f"  sources shown: {sources}")
        assert "wire" in sources, f"wire is not among the sources: {sources}"
        k = sources.index("wire")
        page.js(f"document.querySelectorAll('details.source')[{k}].open = true")
        quote = "The barriers were designed for a storm"
        sides = page.js(
            f"""(() => {{
              const view = document.querySelectorAll('details.source')[{k}];
              const cols = view.querySelectorAll('.col');
              return [...cols].map(c => [...c.querySelectorAll('a.p')].some(a => a.textContent.includes({json.dumps(quote)})));
            }})()"""
        )
        assert sides == [True, True], f"the quote is not highlighted on both sides: {sides}"
        kinds = page.js(
            f"""(() => {{
              const view = document.querySelectorAll('details.source')[{k}];
              const a = [...view.querySelectorAll('.col')[0].querySelectorAll('a.p')].find(a => a.textContent.includes({json.dumps(quote)}));
              const st = getComputedStyle(a);
              return [a.className, st.textDecorationStyle, st.textDecorationLine];
            }})()"""
        )
        print(f"  the quote on the checked side: {kinds}")
        assert "underline" in kinds[2], f"passage kind has no non-color mark: {kinds}"
        drift = page.js("document.querySelectorAll('mark.drift').length")
        assert drift > 0, "no drift marked (the speaker changed)"
        # click the quote on the checked side: its counterpart lights up on the source side
        lit = page.js(
            f"""(() => {{
              const view = document.querySelectorAll('details.source')[{k}];
              const a = [...view.querySelectorAll('.col')[0].querySelectorAll('a.p')].find(a => a.textContent.includes({json.dumps(quote)}));
              a.scrollIntoView({{block: 'center'}});
              a.click();
              const b = view.querySelectorAll('.col')[1];
              return [...b.querySelectorAll('a.p.hl')].map(x => x.textContent.slice(0, 40));
            }})()"""
        )
        assert lit, "clicking a passage did not light its counterpart"
        assert page.js("location.hash") == "#/check", "a passage link changed the route"
        page.js("window.scrollTo(0, 0)")
        page.shot("1-check.png")
        page.js(f"document.querySelectorAll('details.source')[{k}].scrollIntoView()")
        page.shot("1b-check-side-by-side.png", full=False)

        # 2. follow the link to wire's page
        page.js(f"[...document.querySelectorAll('table.list td.src a')][{k}].click()")
        page.wait("location.hash === '#/doc/wire' && !!document.querySelector('main h1')", "wire's page")
        page.wait("document.body.textContent.includes('Republications over time')", "republications")
        reprinted = page.js("document.body.textContent.includes('reprint')")
        assert reprinted, "wire's page does not name the reprint"
        page.shot("2-document.png")

        # 3. a new document arrives (through the API): the feed shows its pairs
        page.go(base + "/#/feed")
        page.wait("document.querySelectorAll('#feed tr').length > 0", "the feed")
        body = json.dumps({"id": "rewrite", "text": demo("rewrite.txt"), "site": "daily-opinion", "date": "2024-05-07T15:00:00Z"}).encode()
        added = http(base + "/api/documents", body, {"Content-Type": "application/json"})
        assert added["documents"][0]["status"] == "added", added
        page.wait("[...document.querySelectorAll('#feed tr.new')].some(r => r.textContent.includes('rewrite'))", "the new pair in the feed", timeout=20)
        page.shot("3-feed.png")

        # 4. the corpus view
        page.go(base + "/#/corpus")
        page.wait("document.querySelectorAll('main svg').length >= 3", "three plots")
        page.shot("4-corpus.png")

        # 5. two documents side by side (a shareable URL)
        page.go(base + "/#/compare/wire/rewrite")
        page.wait("!!document.querySelector('.cols')", "the side-by-side page")
        page.shot("5-compare.png")

        # 6. a phone
        page.size(390, 844, mobile=True)
        page.go(base + "/#/doc/rewrite")
        page.wait("document.body.textContent.includes('What it drew on')", "rewrite's page")
        overflow = page.js("document.documentElement.scrollWidth - window.innerWidth")
        print(f"  phone width: page wider than the screen by {overflow} px")
        page.shot("6-phone-document.png")
        page.go(base + "/#/compare/wire/rewrite")
        page.wait("!!document.querySelector('.cols')", "the side-by-side page")
        cols = page.js("getComputedStyle(document.querySelector('.cols')).gridTemplateColumns.split(' ').length")
        assert cols == 1, f"the side-by-side has {cols} columns on a phone"
        page.shot("6b-phone-compare.png", full=False)
        print(f"ok ui_test: {time.time() - t0:.1f} s in the browser, load to verdict checked, first paint {paint} ms")
        del t_nav
        return 0
    finally:
        for p in procs:
            p.kill()
            p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
