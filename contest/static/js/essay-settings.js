// The rules field of the organiser's writing settings (templates/essays/settings.html): the same rich-text editor
// as entries, without images. The textarea stays in the form and is kept up to date, so the form posts as usual.
(function () {
  "use strict";
  var form = document.getElementById("settings-form");
  var textarea = document.getElementById("rules_html");
  var container = document.getElementById("rules-editor");
  if (!form || !textarea || !container || !window.ContestRichText) { return; }
  var d = form.dataset;
  window.ContestRichText.create({
    textarea: textarea, container: container, uploadUrl: null,
    texts: {
      placeholder: d.msgPlaceholder, linkPrompt: d.msgLinkPrompt, linkInvalid: d.msgLinkInvalid,
      linkVisit: d.msgLinkVisit, linkEnter: d.msgLinkEnter, linkEdit: d.msgLinkEdit, linkSave: d.msgLinkSave,
      linkRemove: d.msgLinkRemove, imageNotHere: d.msgImageType, toolHeading2: d.msgToolHeading2,
      toolHeading3: d.msgToolHeading3, toolBold: d.msgToolBold, toolItalic: d.msgToolItalic,
      toolUnderline: d.msgToolUnderline, toolQuote: d.msgToolQuote, toolOrdered: d.msgToolOrdered,
      toolBullet: d.msgToolBullet, toolLink: d.msgToolLink, toolClean: d.msgToolClean
    },
    onError: function (message) { window.alert(message); }
  });
})();
