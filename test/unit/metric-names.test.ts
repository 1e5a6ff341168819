import assert from 'node:assert/strict'
import { defaultLogger } from '@libp2p/logger'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Registry } from 'prom-client'
import { lintedMetricNames } from '../../src/net/metric-names.ts'

describe('libp2p metrics under Prometheus names (lintedMetricNames)', () => {
  it('drops _total from gauges, registers milliseconds as seconds with converted values, leaves counters alone', async () => {
    const registry = new Registry()
    const metrics = lintedMetricNames(prometheusMetrics({ registry, collectDefaultMetrics: false, preserveExistingMetrics: true }))({ logger: defaultLogger() })

    metrics.registerMetricGroup('unit_streams_total', { label: 'protocol' }).update({ '/dfs/store/1.0.0': 3 })
    metrics.registerMetricGroup('unit_ping_time_milliseconds').update({ success: 250, successVariance: 4 })
    const latency = metrics.registerMetric('unit_latency_milliseconds')
    latency.update(1500)
    latency.increment(500)
    metrics.registerMetric('unit_lag_milliseconds', { calculate: async () => 20 })
    metrics.registerCounter('unit_events_total').increment(2)

    const text = await registry.metrics()
    assert.match(text, /^unit_streams\{protocol="\/dfs\/store\/1\.0\.0"\} 3$/m)
    assert.doesNotMatch(text, /unit_streams_total/)
    assert.match(text, /^unit_ping_time_seconds\{unit_ping_time_seconds="success"\} 0\.25$/m)
    assert.match(text, /^unit_ping_time_seconds\{unit_ping_time_seconds="successVariance"\} 0\.000004$/m, 'ms² as s²')
    assert.match(text, /^unit_latency_seconds 2$/m)
    assert.match(text, /^unit_lag_seconds 0\.02$/m)
    assert.doesNotMatch(text, /milliseconds/)
    assert.match(text, /^# TYPE unit_events_total counter$/m)
    assert.match(text, /^unit_events_total 2$/m)
  })
})
