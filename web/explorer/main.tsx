import { render } from 'preact';
import { App } from './app.js';
import './explorer.css';

render(<App />, document.getElementById('app')!);
