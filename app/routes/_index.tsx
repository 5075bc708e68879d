export default function Index() {
  return <h1>Quorum</h1>;
}
