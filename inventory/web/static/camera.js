// A camera button for phones: reads QR codes and barcodes into a text input, then fires "camera:code".
// Uses the browser's BarcodeDetector where there is one, else the barcode-detector ponyfill (zxing-wasm),
// both served by this app from the npm packages (never a CDN).
(function () {
  "use strict";
  var PONYFILL = "/vendor/barcode-detector/ponyfill.js";
  var WASM = "/vendor/zxing-wasm/zxing_reader.wasm";
  var FORMATS = ["qr_code", "code_128", "code_39", "ean_13", "data_matrix", "itf"];

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src; s.onload = resolve; s.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(s);
    });
  }
  function detector() {
    if ("BarcodeDetector" in window) return Promise.resolve(new window.BarcodeDetector({ formats: ["qr_code"] }));
    return loadScript(PONYFILL).then(function () {
      var api = window.BarcodeDetectionAPI;
      api.prepareZXingModule({ overrides: { locateFile: function (path, prefix) {
        return path.endsWith(".wasm") ? WASM : prefix + path;
      } } });
      return new api.BarcodeDetector({ formats: FORMATS });
    });
  }

  var box = document.getElementById("camera");
  var buttons = document.querySelectorAll("[data-camera-for]");
  if (!box || !buttons.length || !(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) return;
  var video = box.querySelector("video"), stream = null, timer = null, last = "", lastAt = 0;

  function stop() {
    if (timer) clearInterval(timer);
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null; timer = null; box.hidden = true;
  }
  function start(input) {
    Promise.all([detector(), navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })])
      .then(function (both) {
        var reader = both[0]; stream = both[1];
        video.srcObject = stream; box.hidden = false; video.play();
        timer = setInterval(function () {
          if (video.readyState < 2) return;
          reader.detect(video).then(function (codes) {
            if (!codes.length) return;
            var code = codes[0].rawValue, now = Date.now();
            if (code === last && now - lastAt < 2500) return;  // the same label still in view
            last = code; lastAt = now;
            if (input.tagName === "TEXTAREA") {  // a list of tags: add the code on its own line, once
              var codes = input.value.split(/\s+/).filter(Boolean);
              if (codes.indexOf(code) < 0) codes.push(code);
              input.value = codes.join("\n");
            } else {
              input.value = code;
            }
            document.dispatchEvent(new CustomEvent("camera:code", { detail: { input: input, code: code } }));
          }).catch(function () {});
        }, 250);
      })
      .catch(function (err) { stop(); alert("The camera could not start: " + err.message); });
  }
  buttons.forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      stop(); start(document.getElementById(button.getAttribute("data-camera-for")));
    });
  });
  var stopButton = box.querySelector("[data-camera-stop]");
  if (stopButton) stopButton.addEventListener("click", stop);
})();
