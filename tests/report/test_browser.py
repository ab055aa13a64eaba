"""The report renders in a real browser: headless Chromium at 1,280 px loads every image, and
nothing makes the page wider than the window (wide tables scroll inside themselves). Skipped,
saying why, only where no Chromium is installed (.ci/run installs it when it can)."""

import json
import re
import shutil
import subprocess

import pytest
from conftest import tiny_config

from bumpdiff.experiments import run_experiment

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHECK = """<script>
window.addEventListener("load", () => {
  const page = document.documentElement.clientWidth;
  const wide = [...document.body.children].filter(e => e.getBoundingClientRect().width > page + 1);
  const broken = [...document.images].filter(i => !i.complete || i.naturalWidth === 0);
  const out = document.createElement("pre");
  out.id = "layout-check";
  out.textContent = JSON.stringify({page, scroll: document.documentElement.scrollWidth,
    wide: wide.map(e => e.tagName), broken: broken.length, images: document.images.length});
  document.body.appendChild(out);
});
</script>"""


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (apt install chromium)")
def test_the_report_fits_1280_px_and_loads_every_image(tmp_path):
    run_experiment(tiny_config(), tmp_path / "r", False, lambda _: None, progress=False)
    page = (tmp_path / "r" / "report.html").read_text().replace("</body>", CHECK + "</body>")
    (tmp_path / "check.html").write_text(page)
    dom = subprocess.run(
        [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
         "--virtual-time-budget=10000", "--dump-dom", (tmp_path / "check.html").as_uri()],
        capture_output=True, text=True, timeout=120,
    ).stdout  # fmt: skip
    found = re.search(r'<pre id="layout-check">(.*?)</pre>', dom)
    assert found, dom[-2000:]
    result = json.loads(found.group(1).replace("&quot;", '"'))
    assert result["images"] >= 6 and result["broken"] == 0
    assert result["scroll"] <= result["page"] and result["wide"] == []
