import { render } from 'preact';
import { App } from './app.js';
import '../lib/theme.css';
import './console.css';

render(<App />, document.getElementById('app')!);
