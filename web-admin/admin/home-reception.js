// マイナ在宅受付Web: the URL patients open at home before an online or home visit, its QR code, where it
// came from (the central system or typed here), the printable poster for the waiting room; an
// administrator sets it by hand or fetches it again from the central system.

import * as api from './api.js';
import { t, tOr } from '/i18n/texts.js';
import { $, busy, formatTime, showProblem, showSvgImage, showText } from './ui.js';

export function createHomeReception(ctx) {
  let data = null;

  function render() {
    const has = Boolean(data && data.url);
    $('home-none').hidden = has || !data;
    $('home-facts').hidden = !has;
    $('home-poster').hidden = !has;
    showSvgImage($('home-qr'), has ? data.qrSvg : '');
    if (has) {
      $('home-url').textContent = data.url;
      $('home-source').textContent = tOr(`admin.home.source.${data.source}`, data.source || '');
      $('home-updated').textContent = t('admin.home.updatedBy', { time: formatTime(data.updatedAt), by: data.updatedBy || '' });
    }
    $('home-manage').hidden = !ctx.can('manage-settings');
  }

  async function load() {
    try {
      data = await api.get('/admin/api/home-reception');
      showProblem($('home-error'), null);
    } catch (error) {
      showProblem($('home-error'), error);
    }
    render();
  }

  async function change(form, work, doneText) {
    showProblem($('home-error'), null);
    showText($('home-info'), '');
    try {
      data = await busy(form, work);
    } catch (error) {
      showProblem($('home-error'), error);
      return;
    }
    showText($('home-info'), doneText());
    render();
  }

  $('home-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const url = $('home-url-input').value.trim();
    change(e.currentTarget, () => api.put('/admin/api/home-reception/url', { url }), () => t('admin.home.setDone'));
  });
  $('home-refresh').addEventListener('click', () => {
    change($('home-form'), () => api.post('/admin/api/home-reception/url/refresh'), () => t('admin.home.refreshDone'));
  });

  return {
    enter() {
      showText($('home-info'), '');
      load();
    },
    leave() {},
    render,
  };
}
