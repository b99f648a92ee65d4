import { render } from 'preact';
import { App } from './app.tsx';
import { installLinkHandling } from './router.ts';
import './styles.css';

installLinkHandling();
render(<App />, document.getElementById('app')!);
