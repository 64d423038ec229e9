import { render } from 'preact';
import { App } from './app.js';
import '../lib/theme.css';

render(<App />, document.getElementById('app')!);
