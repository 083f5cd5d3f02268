import type { Report } from '../../../../contract';
import { HEALTH_TEXT, serviceStatus, type Health } from './service-status';

const ITEMS = [
  { key: 'p2p', label: 'P2P' },
  { key: 'signaling', label: 'Signaling' },
  { key: 'network', label: 'Network' },
] as const;

/** P2P / signaling / network at a glance, from the newest diagnosis (the seed's StatusIndicator). */
export function StatusStrip({ report }: { report: Report | null }) {
  const status = serviceStatus(report);
  return (
    <section className="status-strip" aria-label="Service status">
      <ul>
        {ITEMS.map(({ key, label }) => {
          const health: Health = status[key];
          return (
            <li
              key={key}
              className={`health health-${health}`}
              data-testid={`status-${key}`}
              data-health={health}
            >
              <span className="dot" aria-hidden="true" />
              <span className="health-label">{label}</span>
              <span className="health-text">{HEALTH_TEXT[health]}</span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
