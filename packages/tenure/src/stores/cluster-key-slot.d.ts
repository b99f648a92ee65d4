// The package ships no types: its default export maps a key to its Redis Cluster hash slot (0 … 16383).
declare module 'cluster-key-slot' {
  export default function calculateSlot(key: string): number;
}
