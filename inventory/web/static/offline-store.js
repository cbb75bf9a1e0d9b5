// What is kept on this phone for working without a signal, in IndexedDB, and the sending of the actions done
// offline. Loaded by every page (offline.js) and by the service worker (importScripts, for Background Sync),
// so it uses nothing a worker lacks. Stores:
//   actions  one row per action done offline: {key (its Idempotency-Key), kind, body, label, done_at, user,
//            state: waiting | sending | sent | refused, message, what_to_do, link}
//   kept     the copy for working offline ({name: "copy", data, fetched_at, expires_at}): the advocate's own
//            participants' reference and first name, their items on loan, agreements, return locations
//   scans    the scan station's scans made offline ({id, page, code}), looked up when the connection returns
(function (root) {
  "use strict";
  var NAME = "device-lending-offline";
  var sending = null;

  function open() {
    return new Promise(function (resolve, reject) {
      var request = root.indexedDB.open(NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains("actions")) db.createObjectStore("actions", { keyPath: "key" });
        if (!db.objectStoreNames.contains("kept")) db.createObjectStore("kept", { keyPath: "name" });
        if (!db.objectStoreNames.contains("scans")) db.createObjectStore("scans", { keyPath: "id", autoIncrement: true });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
      request.onblocked = function () { reject(new Error("The offline store is busy in another tab")); };
    });
  }

  // One transaction on one store: `work(store)` may return a request whose result is the answer.
  function run(name, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode), result;
        var request = work(tx.objectStore(name));
        if (request) request.onsuccess = function () { result = request.result; };
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function all(name) { return run(name, "readonly", function (s) { return s.getAll(); }); }
  function get(name, key) { return run(name, "readonly", function (s) { return s.get(key); }); }
  function put(name, value) { return run(name, "readwrite", function (s) { return s.put(value); }); }
  function remove(name, key) { return run(name, "readwrite", function (s) { return s.delete(key); }); }
  function clear(name) { return run(name, "readwrite", function (s) { return s.clear(); }); }

  // Tell every open page that something changed (the banner and the queue redraw themselves).
  function changed() {
    try { new BroadcastChannel(NAME).postMessage("changed"); } catch (e) { /* an old browser: pages ask on load */ }
  }

  function actions() {
    return all("actions").then(function (rows) {
      return rows.sort(function (a, b) { return a.done_at < b.done_at ? -1 : a.done_at > b.done_at ? 1 : 0; });
    });
  }

  function save(action) {
    action.state = "waiting";
    return put("actions", action).then(function () {
      changed();
      // Background Sync, where the browser has it, sends it even if every page is closed by then.
      if (root.navigator.serviceWorker && root.document) {
        root.navigator.serviceWorker.ready.then(function (reg) {
          if (reg.sync) return reg.sync.register("offline-queue");
        }).catch(function () { /* sent on the next page open or `online` event instead */ });
      }
    });
  }

  function ask(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.cache = "no-store";
    options.redirect = "manual";
    options.headers = Object.assign({ "Accept": "application/json" }, options.headers || {});
    return fetch(url, options);
  }

  function note(action, state, message, extra) {
    action.state = state;
    action.message = message;
    Object.assign(action, extra || {});
    return put("actions", action);
  }

  // Send what waits, oldest first, as the person signed in now (only their own). A network failure stops the
  // round: the rest wait for the next. A refusal is kept with its reason; nothing is dropped.
  function sendAll() {
    return actions().then(function (rows) {
      var todo = rows.filter(function (a) { return a.state === "waiting" || a.state === "sending"; });
      if (!todo.length) return 0;
      return ask("/offline/token").then(function (r) {
        if (r.status === 401 || r.type === "opaqueredirect") {
          return Promise.all(todo.map(function (a) { return note(a, "waiting", "Sign in again to send this."); })).then(function () { return 0; });
        }
        if (!r.ok) return 0;
        return r.json().then(function (who) {
          var sent = 0;
          return todo.reduce(function (chain, action) {
            return chain.then(function (stop) {
              if (stop) return true;
              if (String(action.user) !== String(who.user)) {
                return note(action, "waiting", "Waiting for the person who did this to sign in.").then(function () { return false; });
              }
              return note(action, "sending", "Sending.").then(function () {
                return ask("/offline/send/" + action.kind, {
                  method: "POST",
                  headers: { "Content-Type": "application/json", "Idempotency-Key": action.key, "X-CSRFToken": who.csrf_token },
                  body: JSON.stringify(action.body)
                });
              }).then(function (r) {
                if (r.status === 401 || r.type === "opaqueredirect") {
                  return note(action, "waiting", "Sign in again to send this.").then(function () { return true; });
                }
                return r.json().catch(function () { return null; }).then(function (answer) {
                  if (r.ok && answer) {
                    sent += 1;
                    return note(action, "sent", answer.message, { link: answer.link || null, sent_at: new Date().toISOString() })
                      .then(function () { return false; });
                  }
                  if (answer && answer.refused) {
                    return note(action, "refused", answer.message, { what_to_do: answer.what_to_do }).then(function () { return false; });
                  }
                  return note(action, "waiting", "The server could not take it yet (answer " + r.status + "): it will be tried again.")
                    .then(function () { return true; });
                });
              }, function () {
                return note(action, "waiting", "Not sent yet: no connection.").then(function () { return true; });
              });
            });
          }, Promise.resolve(false)).then(function () { return sent; });
        });
      }, function () { return 0; });  // no connection: everything waits
    }).finally(changed);
  }

  // One sender at a time across the pages and the worker (Web Locks), so nothing is sent twice at once.
  function send() {
    if (sending) return sending;
    var go = root.navigator.locks
      ? function () { return root.navigator.locks.request("device-lending-offline-send", sendAll); }
      : sendAll;
    sending = go().finally(function () { sending = null; });
    return sending;
  }

  function kept() {
    return get("kept", "copy").then(function (copy) {
      if (copy && copy.expires_at < Date.now()) {  // the session it was fetched in is over
        return remove("kept", "copy").then(function () { return null; });
      }
      return copy || null;
    });
  }

  function keep(data) {
    var now = Date.now();
    return put("kept", { name: "copy", data: data, fetched_at: now, expires_at: now + data.expires_in * 1000 });
  }

  // Sign-out: nothing stays (the server's Clear-Site-Data says the same to the browser).
  function forgetAll() {
    return new Promise(function (resolve) {
      var request = root.indexedDB.deleteDatabase(NAME);
      request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
    });
  }

  root.OfflineStore = {
    actions: actions, save: save, send: send, remove: function (key) { return remove("actions", key).then(changed); },
    kept: kept, keep: keep, forgetKept: function () { return clear("kept"); }, forgetAll: forgetAll,
    scans: function () { return all("scans"); }, addScan: function (s) { return put("scans", s); },
    removeScan: function (id) { return remove("scans", id); }, channel: NAME
  };

  // In the service worker: Background Sync sends the queue when the connection returns.
  if (typeof root.ServiceWorkerGlobalScope !== "undefined" && root instanceof root.ServiceWorkerGlobalScope) {
    root.addEventListener("sync", function (event) {
      if (event.tag === "offline-queue") event.waitUntil(send());
    });
  }
})(self);
