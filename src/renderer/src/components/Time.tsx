import { formatTime, splitMoments } from './format';

/** A moment as the UI writes it (`formatTime`), its ISO form on hover and for machines. */
export function Time({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={iso}>
      {formatTime(iso)}
    </time>
  );
}

/** An engine-written sentence with every ISO moment in it shown once, as `<Time>`. */
export function TextWithTimes({ text }: { text: string }) {
  return (
    <>
      {splitMoments(text).map((part, index) =>
        'iso' in part ? <Time key={index} iso={part.iso} /> : <span key={index}>{part.text}</span>,
      )}
    </>
  );
}
