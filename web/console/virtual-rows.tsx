import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export const ROW_HEIGHT = 36;
const OVERSCAN = 8;

/**
 * A table body that renders only the rows in view (plus a few either side): spacer rows stand in for the rest, so
 * 10,000 nodes cost as much DOM as a screenful. Rows must be ROW_HEIGHT tall (the stylesheet fixes it).
 */
export function VirtualTable<T>(props: {
  rows: readonly T[];
  head: ComponentChildren;
  columns: number;
  label: string;
  renderRow: (row: T, index: number) => ComponentChildren;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const total = props.rows.length;
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(total, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const visible = props.rows.slice(first, last);

  return (
    <div class="table-scroll" ref={scroller} onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)} tabIndex={-1}>
      <table class="nodes" aria-label={props.label} aria-rowcount={total + 1}>
        <thead>{props.head}</thead>
        <tbody>
          {first > 0 && (
            <tr aria-hidden="true" class="spacer" style={{ height: `${first * ROW_HEIGHT}px` }}>
              <td colSpan={props.columns} />
            </tr>
          )}
          {visible.map((row, i) => props.renderRow(row, first + i))}
          {last < total && (
            <tr aria-hidden="true" class="spacer" style={{ height: `${(total - last) * ROW_HEIGHT}px` }}>
              <td colSpan={props.columns} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
