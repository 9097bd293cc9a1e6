/// The stylesheet and the script `folio ui` serves from the binary (no CDN: it works
/// offline). Colours pass WCAG AA: body text #1b1f24 on #ffffff is 16.6:1, links #0b5cad
/// 6.6:1, muted #4a5561 7.6:1, errors #a4161a 7.9:1. The script only enhances pages that
/// work without it: turning selected text into a variable, live lint, selecting rows, and
/// streaming a test run.
enum UIAssets {
    static let css = """
        :root { color-scheme: light; --text: #1b1f24; --muted: #4a5561; --link: #0b5cad; --line: #d0d7de; --bad: #a4161a; --good: #116329; --bg2: #f6f8fa; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: var(--text); background: #fff; }
        header { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.2rem; border-bottom: 1px solid var(--line); background: var(--bg2); }
        header .brand { font-weight: 700; color: var(--text); text-decoration: none; }
        nav a { margin-right: 1rem; color: var(--link); }
        nav a[aria-current=page] { font-weight: 700; color: var(--text); }
        main { padding: 1rem 1.2rem 3rem; max-width: 90rem; }
        h1 { font-size: 1.35rem; margin: .2rem 0 1rem; }
        h2 { font-size: 1.1rem; margin-top: 1.6rem; }
        a { color: var(--link); }
        a:focus, button:focus, input:focus, select:focus, textarea:focus, summary:focus { outline: 3px solid #0b5cad; outline-offset: 2px; }
        table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
        th, td { border-bottom: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
        th { background: var(--bg2); font-weight: 600; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .muted { color: var(--muted); }
        .error, .bad { color: var(--bad); }
        .good { color: var(--good); }
        .notice { padding: .5rem .8rem; border-left: 4px solid var(--link); background: var(--bg2); }
        .problem { padding: .5rem .8rem; border-left: 4px solid var(--bad); background: #fff5f5; }
        form.filters { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: end; margin-bottom: 1rem; }
        label { display: inline-flex; flex-direction: column; gap: .15rem; font-size: .9rem; }
        label.inline { flex-direction: row; align-items: center; gap: .4rem; }
        input, select, textarea, button { font: inherit; padding: .3rem .45rem; border: 1px solid #8c959f; border-radius: 4px; }
        button { background: #0b5cad; color: #fff; border-color: #0b5cad; cursor: pointer; }
        button.secondary { background: #fff; color: #0b5cad; }
        textarea { width: 100%; min-height: 6rem; font-family: ui-monospace, monospace; }
        pre, .message { white-space: pre-wrap; word-break: break-word; background: var(--bg2); padding: .6rem .8rem; border-radius: 4px; margin: .3rem 0; font-family: ui-monospace, monospace; font-size: .9rem; }
        .role { font-weight: 600; color: var(--muted); }
        ul.tree { list-style: none; padding-left: 1.2rem; }
        ul.tree li { margin: .2rem 0; }
        .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(26rem, 1fr)); gap: 1rem; }
        figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: .5rem; }
        figcaption { font-weight: 600; margin-bottom: .3rem; }
        svg text { font: 11px system-ui, sans-serif; fill: var(--text); }
        .legend span { margin-right: 1rem; }
        ins { background: #dafbe1; text-decoration: none; }
        del { background: #ffebe9; }
        .diff td { font-family: ui-monospace, monospace; white-space: pre-wrap; width: 50%; }
        """

    static let javascript = """
        "use strict";
        (function () {
          // Turn selected message text into a {{variable}}: the name and the value go into the
          // form's variables, one name=value per line, as `--var` takes them.
          // The last text selected inside a message: typing the name moves the selection.
          var lastSelected = "";
          document.addEventListener("selectionchange", function () {
            var selection = window.getSelection();
            var node = selection && selection.anchorNode;
            var element = node && (node.nodeType === 1 ? node : node.parentElement);
            if (element && element.closest(".message") && String(selection).trim()) { lastSelected = String(selection).trim(); }
          });
          document.querySelectorAll("[data-make-variable]").forEach(function (button) {
            button.hidden = false;
            button.addEventListener("click", function () {
              var selected = lastSelected;
              var name = document.getElementById("variable-name");
              var target = document.getElementById("variables");
              if (!selected || !name || !name.value || !target) { return; }
              target.value = (target.value ? target.value.replace(/\\n?$/, "\\n") : "") + name.value + "=" + selected;
              name.value = "";
              lastSelected = "";
              target.dispatchEvent(new Event("input"));
            });
          });
          // Live lint: the draft the form would write, checked as `folio lint` checks it.
          var draftForm = document.querySelector("form[data-preview]");
          if (draftForm) {
            var output = document.getElementById("lint");
            var timer = null;
            var preview = function () {
              var body = new URLSearchParams(new FormData(draftForm));
              fetch(draftForm.getAttribute("data-preview"), { method: "POST", body: body, credentials: "same-origin" })
                .then(function (response) { return response.text(); })
                .then(function (text) { output.textContent = text; });
            };
            draftForm.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(preview, 250); });
            preview();
          }
          // Select every row of a page of calls.
          var all = document.getElementById("select-all");
          if (all) {
            all.hidden = false;
            all.addEventListener("change", function () {
              document.querySelectorAll("input[name=span]").forEach(function (box) { box.checked = all.checked; });
            });
          }
          // A test run streams its progress: each line as it comes.
          var runForm = document.querySelector("form[data-stream]");
          if (runForm) {
            runForm.addEventListener("submit", function (event) {
              event.preventDefault();
              var log = document.getElementById("run-log");
              log.textContent = "";
              log.removeAttribute("data-done");
              fetch(runForm.getAttribute("action"), { method: "POST", body: new URLSearchParams(new FormData(runForm)), credentials: "same-origin" })
                .then(function (response) {
                  var reader = response.body.getReader();
                  var decoder = new TextDecoder();
                  var pump = function () {
                    return reader.read().then(function (chunk) {
                      if (chunk.done) { log.setAttribute("data-done", "true"); return; }
                      log.textContent += decoder.decode(chunk.value, { stream: true });
                      return pump();
                    });
                  };
                  return pump();
                });
            });
          }
        })();
        """
}
