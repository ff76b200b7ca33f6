import init from './revops-web-3f0590595c6dea6e.js';
init({ module_or_path: '/revops-web-6baf433fe7a8742f_bg.wasm' });
