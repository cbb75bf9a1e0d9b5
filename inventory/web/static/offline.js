// Working without a signal, on every page: registers the service worker; keeps the copy an advocate needs
// offline (static/offline-store.js); saves a form marked data-offline (issue, assessment, take back, add a
// participant) on the phone when there is no connection, to be sent by itself when it returns; shows
// online/offline and "N waiting to send" in the banner (base.html); fills the /offline app shell and the
// queue page. Sign-out forgets everything kept; a page opened signed out forgets the kept copy.
(function () {
  "use strict";
  var S = window.OfflineStore;
  if (!S || !window.indexedDB) return;
  var body = document.body;
  var user = body.getAttribute("data-offline-user");  // signed in (never set on the shell)
  var shell = document.getElementById("offline-shell");
  var banner = document.getElementById("offline-status");
  var KEPT_FOR = 5 * 60 * 1000;  // fetch the copy again after five minutes online
  var kept = null;

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/service-worker.js", { scope: "/" }).catch(function () { /* no offline */ });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }
  function when(iso) {
    return new Date(iso).toLocaleString("en-GB", { day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit" });
  }
  function isoDay(date) {
    return date.getFullYear() + "-" + String(date.getMonth() + 1).padStart(2, "0") + "-" + String(date.getDate()).padStart(2, "0");
  }
  // The day it is now by the server's calendar: the day the copy was fetched, plus the days since.
  function today() {
    if (!kept) return isoDay(new Date());
    var then = new Date(kept.data.today + "T12:00:00");
    var days = Math.floor((Date.now() - kept.fetched_at) / 86400000);
    return isoDay(new Date(then.getTime() + days * 86400000));
  }

  // --- The banner: online or offline, and what waits ---------------------------------------------------
  function redraw() {
    return S.actions().then(function (rows) {
      var mine = rows.filter(function (a) { return !user || String(a.user) === user; });
      var waiting = mine.filter(function (a) { return a.state === "waiting" || a.state === "sending"; }).length;
      var refused = mine.filter(function (a) { return a.state === "refused"; }).length;
      if (banner) {
        var offline = !navigator.onLine;
        var state = banner.querySelector("[data-offline-state]");
        state.textContent = offline ? "Offline" : "Online";
        state.className = "govuk-tag " + (offline ? "govuk-tag--grey" : "govuk-tag--green");
        var parts = [];
        if (offline) parts.push("What you save is kept on this phone.");
        if (waiting) parts.push(waiting + " waiting to send.");
        if (refused) parts.push(plural(refused, "action was", "actions were") + " refused: see what to do.");
        banner.querySelector("[data-offline-waiting]").textContent = parts.join(" ");
        banner.querySelector("[data-offline-queue-link]").hidden = !(waiting || refused);
        banner.hidden = !(offline || waiting || refused);
      }
      if (shell) drawQueue(mine);
      return mine;
    });
  }

  function drawQueue(rows) {
    var list = shell.querySelector("[data-offline-queue]");
    list.textContent = "";
    shell.querySelector("[data-queue-empty]").hidden = rows.length > 0;
    var STATES = {
      waiting: ["Waiting to send", "govuk-tag--yellow"], sending: ["Sending", "govuk-tag--blue"],
      sent: ["Sent", "govuk-tag--green"], refused: ["Refused", "govuk-tag--red"]
    };
    rows.forEach(function (a) {
      var item = el("li", { "class": "app-offline-action", "data-state": a.state });
      var head = el("p", { "class": "govuk-body govuk-!-margin-bottom-1" });
      head.appendChild(el("strong", { "class": "govuk-tag " + STATES[a.state][1] }, STATES[a.state][0]));
      head.appendChild(document.createTextNode(" " + a.label));
      item.appendChild(head);
      item.appendChild(el("p", { "class": "govuk-hint govuk-!-margin-bottom-1" }, "Done " + when(a.done_at)));
      if (a.message) item.appendChild(el("p", { "class": "govuk-body govuk-!-margin-bottom-1" }, (a.state === "refused" ? "Why: " : "") + a.message));
      if (a.what_to_do) item.appendChild(el("p", { "class": "govuk-body govuk-!-margin-bottom-1" }, "What to do: " + a.what_to_do));
      if (a.state === "sent" && a.link) {
        var link = el("a", { "class": "govuk-link", href: a.link }, "Open their page");
        var p = el("p", { "class": "govuk-body govuk-!-margin-bottom-1" }); p.appendChild(link); item.appendChild(p);
      }
      if (a.state === "refused" || a.state === "sent") {
        var button = el("button", { type: "button", "class": "govuk-button govuk-button--secondary govuk-!-margin-bottom-2" },
          a.state === "refused" ? "Delete this refused action" : "Remove from this list");
        button.addEventListener("click", function () { S.remove(a.key).then(redraw); });
        item.appendChild(button);
      }
      list.appendChild(item);
    });
  }

  // --- Saving a form on the phone ------------------------------------------------------------------------
  function fields(form) {
    var out = {};
    new FormData(form).forEach(function (value, name) { if (!(name in out)) out[name] = value; });
    Object.keys(out).filter(function (k) { return /-day$/.test(k); }).forEach(function (k) {
      var name = k.replace(/-day$/, ""), d = out[k].trim(), m = (out[name + "-month"] || "").trim(), y = (out[name + "-year"] || "").trim();
      out[name] = d || m || y ? y + "-" + (m.length === 1 ? "0" + m : m) + "-" + (d.length === 1 ? "0" + d : d) : "";
    });
    return out;
  }
  function signature(f) {
    if (f.signature_method === "verbal") return { method: "verbal", note: f.signature_note || "" };
    if (f.signature_method === "drawn" && (f.signature_svg || "").trim()) return { method: "drawn", svg: f.signature_svg };
    return null;
  }
  function number(text) { return /^\s*\d+\s*$/.test(text || "") ? parseInt(text, 10) : text; }
  function person(id) {
    var found = kept && kept.data.participants.filter(function (p) { return p.id === id; })[0];
    return found ? found.reference + " (" + found.first_name + ")" : "participant " + id;
  }

  // The action's body, as the server's door takes it, and a label for the queue; or {error}.
  function action(form) {
    var kind = form.getAttribute("data-offline"), f = fields(form);
    var participant = parseInt(form.getAttribute("data-participant") || f.participant, 10);
    if (kind === "issue" || kind === "assessment") {
      if (!participant) return { error: "Choose a participant." };
    }
    if (kind === "issue") {
      var items = (f.items || "").split(/[\s,]+/).filter(Boolean);
      if (!items.length) return { error: "Type or scan at least one tag." };
      return {
        body: {
          participant: participant, items: items, issued_on: f.issued_on || today(),
          agreement_accepted: f.agreement === "yes", agreement_version: f.agreement_version ? parseInt(f.agreement_version, 10) : null,
          signature: signature(f)
        },
        label: "Issue " + items.join(", ") + " to " + person(participant)
      };
    }
    if (kind === "assessment") {
      return {
        body: {
          participant: participant, score: number(f.score), max_score: number(f.max_score), taken_on: f.taken_on || today(),
          venue: f.venue, signature: signature(f)
        },
        label: "Assessment for " + person(participant) + ": " + f.score + " out of " + f.max_score
      };
    }
    if (kind === "return") {
      var loan = parseInt(form.getAttribute("data-loan"), 10), tags = new FormData(form).getAll("items");
      if (!loan && f.item) { loan = parseInt(f.item.split("|")[0], 10); tags = [f.item.split("|")[1]]; }
      if (!loan) return { error: "Choose the item that came back." };
      if (!f.location) return { error: "Choose where it was taken back to." };
      return {
        body: { loan: loan, items: tags.length ? tags : null, location: f.location, note: f.note || null, signature: signature(f) },
        label: "Take back " + (tags.length ? tags.join(", ") : "everything on loan " + loan) + " to " + f.location
      };
    }
    if (kind === "participant") {
      return {
        body: {
          reference: f.reference, name: f.name, phone: f.phone || null, email: f.email || null, area: f.area,
          referral_source: f.referral_source, programme: f.programme, contact_consent: f.contact_consent === "yes",
          enrolled_on: f.enrolled_on || today(), advocate: f.advocate || null
        },
        label: "Add participant " + f.reference
      };
    }
    return { error: "This cannot be done offline." };
  }

  function say(form, message, success) {
    var old = form.parentNode.querySelector("[data-offline-said]");
    if (old) old.remove();
    var box = el("div", {
      "class": success ? "govuk-notification-banner govuk-notification-banner--success" : "govuk-error-summary",
      role: success ? "status" : "alert", "data-offline-said": "", tabindex: "-1"
    });
    var inner = el("div", { "class": success ? "govuk-notification-banner__content" : "govuk-error-summary__body" });
    inner.appendChild(el("p", { "class": success ? "govuk-notification-banner__heading" : "govuk-body" }, message));
    if (success) {
      var p = el("p", { "class": "govuk-body" });
      p.appendChild(el("a", { "class": "govuk-notification-banner__link", href: "/offline/queue" }, "See what is waiting to send"));
      inner.appendChild(p);
    }
    box.appendChild(inner);
    form.parentNode.insertBefore(box, form);
    box.focus();
  }

  function saveOffline(form) {
    var made = action(form);
    if (made.error) { say(form, made.error, false); return; }
    var keyField = form.querySelector("input[name=idempotency_key]");
    var owner = user || (kept && kept.data.user);
    if (!owner) { say(form, "Sign in while you have a signal first: nothing can be saved for sending.", false); return; }
    S.save({
      key: (keyField && keyField.value) || crypto.randomUUID(), kind: form.getAttribute("data-offline"), body: made.body,
      label: made.label, done_at: new Date().toISOString(), user: owner
    }).then(function () {
      if (keyField) keyField.value = crypto.randomUUID();  // the next issue from this page is another action
      form.reset();
      form.querySelectorAll("[data-signature-clear]").forEach(function (b) { b.click(); });
      fillDates();
      say(form, "Saved on this phone: it will be sent when you are back online.", true);
      return redraw();
    });
  }

  document.querySelectorAll("form[data-offline]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (shell || !navigator.onLine) {  // the shell's forms are always for later
        event.preventDefault();
        event.stopImmediatePropagation();
        saveOffline(form);
      }
    }, true);
  });

  // --- The app shell --------------------------------------------------------------------------------
  function options(select, rows, chosen) {
    rows.forEach(function (r) {
      var option = el("option", { value: r[0] }, r[1]);
      if (String(r[0]) === String(chosen)) option.selected = true;
      select.appendChild(option);
    });
  }
  function fillDates() {
    if (!shell) return;
    var parts = today().split("-");
    ["oi-issued_on", "oa-taken_on"].forEach(function (id) {
      var d = document.getElementById(id + "-day");
      if (d && !d.value) {
        d.value = String(parseInt(parts[2], 10));
        document.getElementById(id + "-month").value = String(parseInt(parts[1], 10));
        document.getElementById(id + "-year").value = parts[0];
      }
    });
  }
  function showAgreement() {
    var form = shell.querySelector("form[data-offline=issue]");
    var chosen = parseInt(form.querySelector("select[name=participant]").value, 10);
    var who = kept.data.participants.filter(function (p) { return p.id === chosen; })[0];
    var agreement = who && kept.data.agreements[who.programme];
    form.querySelector("[data-agreement-version]").textContent = agreement ? agreement.version : "";
    form.querySelector("input[name=agreement_version]").value = agreement ? agreement.version : "";
    form.querySelector("[data-agreement-text]").textContent = agreement ? agreement.text : "Choose a participant to see their programme's agreement.";
  }
  function fillShell() {
    var path = location.pathname, m;
    var show = ["issue", "assessment", "return", "participant"], chosen = null;
    if ((m = path.match(/^\/participants\/(\d+)\/issue$/))) { show = ["issue"]; chosen = m[1]; }
    else if ((m = path.match(/^\/participants\/(\d+)$/))) { show = ["assessment", "return"]; chosen = m[1]; }
    else if (path === "/participants/new") { show = ["participant"]; }
    else if (path === "/offline/queue" || shell.getAttribute("data-queue-only")) { show = []; }
    if (!kept) {
      shell.querySelector("[data-shell-nothing]").hidden = show.length === 0;
      return;
    }
    var d = kept.data;
    var people = d.participants.map(function (p) { return [p.id, p.reference + " (" + p.first_name + ")"]; });
    shell.querySelectorAll("select[name=participant]").forEach(function (s) { options(s, people, chosen); });
    var items = d.on_loan.filter(function (i) { return !chosen || String(i.participant) === chosen; })
      .map(function (i) { return [i.loan + "|" + i.tag, i.tag + " (" + i.type + "), " + person(i.participant)]; });
    options(document.getElementById("or-item"), items, null);
    options(document.getElementById("or-location"), d.locations.map(function (l) { return [l.code, l.name + " (" + l.code + ")"]; }), null);
    options(document.getElementById("op-programme"), d.programmes.map(function (p) { return [p.code, p.code + " — " + p.name]; }), null);
    document.getElementById("oi-participant").addEventListener("change", showAgreement);
    showAgreement();
    fillDates();
    show.forEach(function (name) { shell.querySelector("[data-shell=" + name + "]").hidden = false; });
  }

  // --- Keeping the copy, and forgetting it ------------------------------------------------------------
  function refreshKept() {
    if (!user || !body.hasAttribute("data-offline-keeps") || !navigator.onLine) return Promise.resolve();
    if (kept && String(kept.data.user) === user && Date.now() - kept.fetched_at < KEPT_FOR) return Promise.resolve();
    return fetch("/offline/kept", { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        return S.keep(data).then(S.kept).then(function (copy) { kept = copy; });
      })
      .catch(function () { /* kept as it was */ });
  }

  function ready() {
    // Ready to work offline once the worker is active and the copy is kept (marked on the banner).
    if (!banner || !user || !body.hasAttribute("data-offline-keeps") || !("serviceWorker" in navigator)) return;
    // Active means its files and the shell are cached: the next page opened without a signal is the shell.
    navigator.serviceWorker.ready.then(function (registration) {
      if (kept && registration.active) banner.setAttribute("data-offline-ready", "");
    });
  }

  var signOut = document.querySelector("form[action$='/sign-out']");
  if (signOut) {
    signOut.addEventListener("submit", function (event) {
      if (signOut.hasAttribute("data-forgotten")) return;
      event.preventDefault();
      S.actions().then(function (rows) {
        var waiting = rows.filter(function (a) { return a.state === "waiting" || a.state === "sending"; }).length;
        if (waiting && !window.confirm(plural(waiting, "action is", "actions are") + " still waiting to send. Signing out deletes " +
            (waiting === 1 ? "it" : "them") + " from this phone. Sign out anyway?")) return;
        return S.forgetAll().then(function () {
          signOut.setAttribute("data-forgotten", "");
          signOut.submit();
        });
      });
    });
  }

  function start() {
    var first = S.kept().then(function (copy) {
      kept = copy;
      if (kept && user && String(kept.data.user) !== user) {  // someone else's copy: never shown
        kept = null;
        return S.forgetKept();
      }
      if (!user && !shell) {  // signed out, or the session's time is up: the copy goes
        kept = null;
        return S.forgetKept().then(function () { body.setAttribute("data-offline-forgotten", ""); });
      }
    });
    first.then(function () {
      if (shell) fillShell();
      return navigator.onLine ? refreshKept() : null;
    }).then(function () {
      ready();
      return redraw();
    }).then(function () {
      if (navigator.onLine) return S.send().then(redraw);
    });
  }

  window.addEventListener("online", function () {
    redraw();
    refreshKept().then(S.send).then(redraw);
  });
  window.addEventListener("offline", redraw);
  try { new BroadcastChannel(S.channel).onmessage = function () { redraw(); }; } catch (e) { /* redraw on events */ }
  start();
})();
