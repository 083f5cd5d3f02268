import type { CallReproduction } from '../../../../contract';
import { TransportMatrix } from '../../components/TransportMatrix';
import { VerdictCard } from '../../components/VerdictCard';

const LAYER_LABEL: Record<CallReproduction['layer'], string> = {
  network: 'the network',
  infrastructure: 'the servers',
  credentials: 'the TURN credentials',
  app: 'the app',
  machine: 'this machine',
  none: 'nothing decided',
};

/**
 * The call beside the isolated tests of its own ICE servers. The sentence, the layer and the rows
 * come from the engine (core/calls/explain.ts over the report's verdict); nothing is decided here.
 */
export function ReproductionView({ result }: { result: CallReproduction }) {
  return (
    <section aria-labelledby="reproduction-title" data-testid="call-reproduction" data-layer={result.layer}>
      <div className="card">
        <h2 id="reproduction-title">The call beside the tests</h2>
        <p className="call-verdict-line" data-testid="call-verdict-line">
          {result.verdictLine}
        </p>
        <p className="sub">Explained by: {LAYER_LABEL[result.layer]}</p>
        <div className="table-scroll">
          <table data-testid="side-by-side">
            <caption className="visually-hidden">
              Each ICE server: what the call saw and what the tests found
            </caption>
            <thead>
              <tr>
                <th scope="col">ICE server</th>
                <th scope="col">In the call</th>
                <th scope="col">In the tests</th>
                <th scope="col">Agree</th>
              </tr>
            </thead>
            <tbody>
              {result.rows.map((row) => (
                <tr key={row.url} data-agree={row.agree}>
                  <th scope="row" className="mono url">
                    {row.url}
                  </th>
                  <td>{row.call}</td>
                  <td>{row.tests}</td>
                  <td className={row.agree ? 'outcome-success' : 'status-degraded'}>
                    {row.agree ? 'yes' : 'no'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {result.withoutCredentials.length > 0 && (
          <p className="hint">
            Not tested, no credentials: {result.withoutCredentials.join(', ')}. Enter them below and reproduce
            again.
          </p>
        )}
      </div>
      <h3 className="reproduction-verdict-title">The isolated tests' own verdict, for this network</h3>
      <VerdictCard report={result.report} fromHistory={false} />
      <TransportMatrix rows={result.matrix} />
    </section>
  );
}
