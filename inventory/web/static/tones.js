// The scan pages' one language of sounds, shared by scan.js, consignment-scan.js and stocktake.js (each page
// loads this file first, deferred, so it runs before them): each outcome has its own tone pattern, so staff
// can tell them apart without looking, on every page alike. A classic script rather than an ES module, so the
// pages' scripts start as soon as before, with no import to fetch after them.
window.scanTones = (function () {
  "use strict";
  // [frequency Hz, ms] pairs; a frequency of 0 is a pause.
  var TONES = {
    ok: [[880, 110]],
    found: [[880, 110]], // a stocktake's "found" is the scan station's "ok"
    unknown: [[220, 180], [0, 60], [220, 180]],
    mistyped: [[660, 120], [440, 120], [330, 160]],
    wrong_state: [[440, 90], [0, 50], [440, 90], [0, 50], [440, 90]],
    repeat: [[520, 60]],
    unexpected: [[660, 90], [0, 40], [990, 140]],
    closed: [[220, 400]]
  };
  function good(kind) { return kind === "ok" || kind === "found"; }
  var audio = null;

  // Play an outcome's pattern (an unknown outcome sounds like "unknown"), and buzz a phone for anything not good.
  function play(kind) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var t = audio.currentTime;
      (TONES[kind] || TONES.unknown).forEach(function (step) {
        if (step[0]) {
          var osc = audio.createOscillator(), gain = audio.createGain();
          osc.type = good(kind) ? "sine" : "square";
          osc.frequency.value = step[0];
          gain.gain.value = 0.15;
          osc.connect(gain); gain.connect(audio.destination);
          osc.start(t); osc.stop(t + step[1] / 1000);
        }
        t += step[1] / 1000;
      });
    } catch (e) { /* no sound available: the colour and message still say it */ }
    if (!good(kind) && navigator.vibrate) navigator.vibrate(kind === "repeat" ? 50 : [120, 60, 120]);
  }
  return { TONES: TONES, play: play };
})();
