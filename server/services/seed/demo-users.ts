import type { AnnotatorLevel } from "../../../db/schema.ts";

export const DEMO_PASSWORD = "quorum-demo";

export interface DemoUser {
  email: string;
  name: string;
  isAdmin: boolean;
  level: AnnotatorLevel | null;
  domains: string[];
  hourlyRate: number | null;
}

export const demoUsers = {
  admin: {
    email: "admin@demo.quorum",
    name: "Morgan Ellis",
    isAdmin: true,
    level: null,
    domains: [],
    hourlyRate: null,
  },
  lead: {
    email: "lead@demo.quorum",
    name: "Dr. Hannah Keller",
    isAdmin: false,
    level: "expert",
    domains: ["medical", "science"],
    hourlyRate: 180,
  },
  expert1: {
    email: "expert1@demo.quorum",
    name: "Dr. Amara Okafor",
    isAdmin: false,
    level: "expert",
    domains: ["medical", "science"],
    hourlyRate: 145,
  },
  expert2: {
    email: "expert2@demo.quorum",
    name: "Lukas Brandt",
    isAdmin: false,
    level: "expert",
    domains: ["legal", "language:de"],
    hourlyRate: 170,
  },
  expert3: {
    email: "expert3@demo.quorum",
    name: "Mei Tanaka",
    isAdmin: false,
    level: "expert",
    domains: ["code", "science"],
    hourlyRate: 130,
  },
  junior1: {
    email: "junior1@demo.quorum",
    name: "Sam Rivera",
    isAdmin: false,
    level: "junior",
    domains: ["medical", "general"],
    hourlyRate: 48,
  },
  junior2: {
    email: "junior2@demo.quorum",
    name: "Layla Haddad",
    isAdmin: false,
    level: "junior",
    domains: ["code", "language:ar"],
    hourlyRate: 42,
  },
  client: {
    email: "client@demo.quorum",
    name: "Northwind Health AI",
    isAdmin: false,
    level: null,
    domains: [],
    hourlyRate: null,
  },
} satisfies Record<string, DemoUser>;

export type DemoUserKey = keyof typeof demoUsers;

export const demoAnnotators: readonly DemoUserKey[] = [
  "expert1",
  "expert2",
  "expert3",
  "junior1",
  "junior2",
];
