import type { CalculatedMetricOptions, Metric, MetricGroup, MetricOptions, Metrics } from '@libp2p/interface'

/**
 * libp2p and its transports register some gauges under counter names
 * (`libp2p_tcp_inbound_connections_total`, `libp2p_protocol_streams_total`)
 * and one in milliseconds, which Prometheus's own linter (`promtool check
 * metrics`) rejects. This wraps the metrics component libp2p is given: a
 * gauge (a "metric" or "metric group" in libp2p's terms) loses a `_total`
 * suffix, and one in milliseconds is registered in seconds, its values
 * converted (variances, in ms², by the square). Counters, histograms and
 * summaries pass through.
 */
export function lintedMetricNames<Components> (factory: (components: Components) => Metrics): (components: Components) => Metrics {
  return (components) => {
    const metrics = factory(components)
    const registerMetric = metrics.registerMetric.bind(metrics)
    const registerMetricGroup = metrics.registerMetricGroup.bind(metrics)
    return new Proxy(metrics, {
      get (target, property, receiver) {
        if (property === 'registerMetric') {
          return (name: string, options?: MetricOptions | CalculatedMetricOptions) => {
            const renamed = gaugeName(name)
            if (!inMilliseconds(name)) return registerMetric(renamed, options as CalculatedMetricOptions)
            const calculate = (options as CalculatedMetricOptions | undefined)?.calculate
            if (calculate != null) {
              registerMetric(renamed, { ...options, calculate: async () => toSeconds('', await calculate()) })
              return
            }
            return scaledMetric(registerMetric(renamed, options))
          }
        }
        if (property === 'registerMetricGroup') {
          return (name: string, options?: MetricOptions | CalculatedMetricOptions<Record<string, number>>) => {
            const renamed = gaugeName(name)
            if (!inMilliseconds(name)) return registerMetricGroup(renamed, options as CalculatedMetricOptions<Record<string, number>>)
            const calculate = (options as CalculatedMetricOptions<Record<string, number>> | undefined)?.calculate
            if (calculate != null) {
              registerMetricGroup(renamed, { ...options, calculate: async () => groupToSeconds(await calculate()) })
              return
            }
            return scaledGroup(registerMetricGroup(renamed, options))
          }
        }
        return Reflect.get(target, property, receiver)
      }
    })
  }
}

const MILLISECONDS = /_milliseconds(?=_|$)/

function inMilliseconds (name: string): boolean {
  return MILLISECONDS.test(name)
}

/** A gauge's name as Prometheus's conventions want it: no `_total` (counters only), base units. */
function gaugeName (name: string): string {
  return name.replace(/_total$/, '').replace(MILLISECONDS, '_seconds')
}

/** A value in milliseconds (`true`: one), in seconds; a key naming a variance holds ms², so s². */
function toSeconds (key: string, value: number | true): number {
  const ms = value === true ? 1 : value
  return /variance/i.test(key) ? ms / 1e6 : ms / 1e3
}

function groupToSeconds (values: Partial<Record<string, number | true>>): Record<string, number> {
  const converted: Record<string, number> = {}
  for (const [key, value] of Object.entries(values)) if (value != null) converted[key] = toSeconds(key, value)
  return converted
}

function scaledMetric (metric: Metric): Metric {
  return {
    update: (value) => { metric.update(toSeconds('', value)) },
    increment: (value = 1) => { metric.increment(toSeconds('', value)) },
    decrement: (value = 1) => { metric.decrement(toSeconds('', value)) },
    reset: () => { metric.reset() },
    // prom-client's timers measure in seconds already
    timer: () => metric.timer()
  }
}

function scaledGroup (group: MetricGroup): MetricGroup {
  return {
    update: (values) => { group.update(groupToSeconds(values)) },
    increment: (values) => { group.increment(groupToSeconds(values)) },
    decrement: (values) => { group.decrement(groupToSeconds(values)) },
    reset: () => { group.reset() },
    timer: (key) => group.timer(key)
  }
}
