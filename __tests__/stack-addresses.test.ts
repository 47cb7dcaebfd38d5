import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { App, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { keepStackAddresses } from '../stacks/constructs/stack-addresses';
import { loadConfig } from '../stacks/config';
import { ProjectStack } from '../stacks/project-stack';

class Topics extends Construct {
  constructor(scope: Construct, id: string, topicIds: string[], keep: boolean) {
    super(scope, id);
    if (keep) keepStackAddresses(this);
    for (const topicId of topicIds) new SnsTopic(this, topicId, { name: topicId });
  }
}

function synthStack(build: (stack: ProjectStack) => void): Record<string, unknown> {
  const app = Testing.app();
  const stack = new ProjectStack(app as App, 'network', loadConfig({}));
  build(stack);
  return JSON.parse(Testing.synth(stack, true)).resource.aws_sns_topic;
}

test('a construct that keeps stack addresses names its resources by their own id', () => {
  const topics = synthStack((stack) => new Topics(stack, 'alarms', ['alarm-topic'], true));
  expect(Object.keys(topics)).toEqual(['alarm-topic']);
});

test('other constructs keep cdktf path-hashed ids', () => {
  const topics = synthStack((stack) => new Topics(stack, 'alarms', ['alarm-topic'], false));
  expect(Object.keys(topics)).toEqual([expect.stringMatching(/^alarms_alarm-topic_[0-9A-F]{8}$/)]);
});

test('two resources with one address stop synth, naming both', () => {
  expect(() =>
    synthStack((stack) => {
      new SnsTopic(stack, 'alarm-topic', { name: 'a' });
      new Topics(stack, 'alarms', ['alarm-topic'], true);
    }),
  ).toThrow(/aws_sns_topic\.alarm-topic is created twice: by network\/alarm-topic and by network\/alarms\/alarm-topic/);
});
