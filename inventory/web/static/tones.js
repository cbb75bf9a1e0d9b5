// The scan pages' one language of sounds (an ES module shared by scan.js, consignment-scan.js and stocktake.js):
// each outcome has its own tone pattern, so staff can tell them apart without looking, on every page alike.
// Patterns are [frequency Hz, ms] pairs; a frequency of 0 is a pause.
export const TONES = {
  ok: [[880, 110]],
  found: [[880, 110]], // a stocktake's "found" is the scan station's "ok"
  unknown: [[220, 180], [0, 60], [220, 180]],
  mistyped: [[660, 120], [440, 120], [330, 160]],
  wrong_state: [[440, 90], [0, 50], [440, 90], [0, 50], [440, 90]],
  repeat: [[520, 60]],
  unexpected: [[660, 90], [0, 40], [990, 140]],
  closed: [[220, 400]]
};
const GOOD = new Set(["ok", "found"]);

let audio = null;

// Play an outcome's pattern (an unknown outcome sounds like "unknown"), and buzz a phone for anything not good.
export function play(kind) {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    let t = audio.currentTime;
    (TONES[kind] || TONES.unknown).forEach(function (step) {
      if (step[0]) {
        const osc = audio.createOscillator(), gain = audio.createGain();
        osc.type = GOOD.has(kind) ? "sine" : "square";
        osc.frequency.value = step[0];
        gain.gain.value = 0.15;
        osc.connect(gain); gain.connect(audio.destination);
        osc.start(t); osc.stop(t + step[1] / 1000);
      }
      t += step[1] / 1000;
    });
  } catch (e) { /* no sound available: the colour and message still say it */ }
  if (!GOOD.has(kind) && navigator.vibrate) navigator.vibrate(kind === "repeat" ? 50 : [120, 60, 120]);
}
