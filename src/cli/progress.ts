import cliProgress from 'cli-progress';

export interface NodeCompletion {
  name: string;
  status: 'succeeded' | 'failed';
  errorCode?: string;
  errorMsg?: string;
}

/**
 * Live progress of a wait, on stderr (stdout keeps the result for scripts): a bar at a terminal; elsewhere (CI
 * logs, pipes) one line per node as it completes.
 */
export class Progress {
  private readonly bar: cliProgress.SingleBar | undefined;
  private done = 0;
  private failed = 0;

  constructor(
    label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    if (stream.isTTY) {
      this.bar = new cliProgress.SingleBar(
        { format: `${label} [{bar}] {value}/{total} nodes | {failed} failed | {duration}s`, stream, hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, 0, { failed: 0 });
    } else {
      stream.write(`${label}: waiting for ${total} node${total === 1 ? '' : 's'}\n`);
    }
  }

  complete(node: NodeCompletion): void {
    this.done++;
    if (node.status === 'failed') this.failed++;
    if (this.bar) {
      this.bar.update(this.done, { failed: this.failed });
      return;
    }
    const reason = node.status === 'failed' ? `: ${node.errorCode ?? ''} ${node.errorMsg ?? ''}`.trimEnd() : '';
    this.stream.write(`[${this.done}/${this.total}] ${node.name} ${node.status}${reason}\n`);
  }

  stop(): void {
    this.bar?.stop();
  }
}

/** `90s`, `5m`, `1h`, `1500ms` or plain seconds, as milliseconds; undefined when the text is none of those. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's']!;
  return Math.round(Number(match[1]) * unit);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
