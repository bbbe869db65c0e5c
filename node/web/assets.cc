// The stylesheet and the one script of the intake page, served from the
// node itself (no external resources). Colours: text #1b1b1b and links
// #004f8a on white (contrast above 7:1), errors #a4000f (7.6:1), a focus
// ring of 3px that every control shows.
#include "pages.h"

namespace signaal::node::web {

const char kStylesheet[] = R"css(
*{box-sizing:border-box}
html{font-size:112.5%}
body{margin:0;font-family:"DejaVu Sans",Verdana,sans-serif;line-height:1.5;color:#1b1b1b;background:#fff}
header{background:#003d6b;color:#fff;padding:.6rem 1rem}
header a{color:#fff}
header .node{font-weight:bold;margin-right:1rem}
nav ul{list-style:none;margin:.4rem 0 0;padding:0;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem}
main{max-width:42rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.15rem;margin:.3rem 0 .6rem}
a{color:#004f8a}
a:focus,button:focus,input:focus,select:focus,textarea:focus,summary:focus{outline:3px solid #f2a900;outline-offset:2px}
label,legend{display:block;font-weight:bold;margin-top:1rem}
legend{margin-top:1.6rem;font-size:1.15rem}
.hint{display:block;font-weight:normal;color:#3b3b3b;font-size:.9rem}
input[type=text],input[type=password],input[type=date],select,textarea{display:block;width:100%;font:inherit;padding:.45rem;border:2px solid #505050;border-radius:3px;background:#fff;color:#1b1b1b}
textarea{min-height:6rem}
fieldset{border:0;padding:0;margin:0}
.check{display:flex;gap:.6rem;align-items:flex-start;margin-top:.6rem}
.check input{width:1.4rem;height:1.4rem;margin-top:.2rem;flex:none}
.check label{margin:0;font-weight:normal}
.consent{border-left:4px solid #004f8a;padding:.2rem .8rem;margin:.6rem 0;background:#f1f6fa}
.error{color:#a4000f;font-weight:bold;display:block}
.invalid{border-color:#a4000f!important;border-width:3px!important}
.summary{border:3px solid #a4000f;padding:.6rem 1rem;margin-bottom:1rem}
.notice{border:3px solid #00703c;padding:.6rem 1rem;margin-bottom:1rem}
.scrub-hint{color:#6b3d00;background:#fff4e0;padding:.3rem .5rem;margin-top:.3rem}
button{font:inherit;padding:.55rem 1.2rem;border:2px solid #003d6b;border-radius:3px;background:#004f8a;color:#fff;cursor:pointer;margin-top:1rem}
button.secondary{background:#fff;color:#004f8a}
button.danger{background:#a4000f;border-color:#7a000b}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.4rem;border-bottom:1px solid #b0b0b0;vertical-align:top}
td:nth-child(2),td:last-child{white-space:nowrap}
.quote{border:1px solid #b0b0b0;padding:.6rem .8rem;margin:1rem 0}
mark{background:#ffd27a;color:#1b1b1b}
.inline{display:inline}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
a.visually-hidden:focus{position:static;width:auto;height:auto;clip:auto;display:inline-block;background:#fff;color:#004f8a;padding:.3rem}
nav button{margin-top:0;padding:.1rem .7rem}
nav li{display:flex;align-items:center}
@media (max-width:30rem){table,thead,tbody,tr,td{display:block}th{display:none}td{border:0;padding:.1rem 0}tr{border-bottom:1px solid #b0b0b0;padding:.5rem 0}}
)css";

// Marks what the scrubber finds in the toelichting and the quote while the
// volunteer types: a hint next to the field, never a block. Sends the text
// to this node only (the same origin, with the form's CSRF token).
const char kHintScript[] = R"js(
(function () {
  var form = document.getElementById('signaal-form');
  if (!form || !window.fetch) return;
  var csrf = form.querySelector('input[name=csrf]').value;
  var kinds = {naam: 'een naam', bsn: 'een BSN', iban: 'een rekeningnummer', telefoon: 'een telefoonnummer',
               'e-mail': 'een e-mailadres', adres: 'een adres', postcode: 'een postcode', datum: 'een datum',
               leeftijd: 'een leeftijd'};
  ['toelichting', 'citaat'].forEach(function (name) {
    var field = form.querySelector('[name=' + name + ']');
    var out = document.getElementById(name + '-scrub');
    if (!field || !out) return;
    var timer = null;
    field.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = field.value;
        if (!text) { out.textContent = ''; out.hidden = true; return; }
        var body = new URLSearchParams();
        body.set('csrf', csrf);
        body.set('tekst', text);
        fetch('/hint', {method: 'POST', body: body, credentials: 'same-origin'})
          .then(function (r) { return r.ok ? r.json() : {spans: []}; })
          .then(function (result) {
            var points = Array.from(text);
            var found = (result.spans || []).map(function (s) {
              return '\u201c' + points.slice(s.start, s.end).join('') + '\u201d (' + (kinds[s.kind] || s.kind) + ')';
            });
            out.textContent = found.length
              ? 'Let op, dit lijkt persoonsgegevens: ' + found.join(', ') + '. Laat ze weg als het kan.'
              : '';
            out.hidden = found.length === 0;
          })
          .catch(function () {});
      }, 600);
    });
  });
  var theme = form.querySelector('[name=thema]');
  var sub = form.querySelector('[name=subthema]');
  if (theme && sub) {
    var filter = function () {
      Array.prototype.forEach.call(sub.querySelectorAll('optgroup'), function (g) {
        var show = !theme.value || g.getAttribute('data-thema') === theme.value;
        g.hidden = !show;
        g.disabled = !show;
      });
      var chosen = sub.options[sub.selectedIndex];
      if (chosen && chosen.parentNode.disabled) sub.value = '';
    };
    theme.addEventListener('change', filter);
    filter();
  }
})();
)js";

}  // namespace signaal::node::web
