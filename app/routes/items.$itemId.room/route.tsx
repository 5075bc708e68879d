import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import katexStylesUrl from "katex/dist/katex.min.css?url";
import { ContentFormatsProvider } from "~/components/markdown/content-context.tsx";
import { ItemRoom } from "~/components/room/item-room.tsx";
import labelingStylesUrl from "~/styles/labeling.css?url";
import projectStylesUrl from "~/styles/project.css?url";
import roomStylesUrl from "~/styles/room.css?url";
import { loadItemRoom, roomAction } from "./room.server.ts";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: katexStylesUrl },
  { rel: "stylesheet", href: labelingStylesUrl },
  { rel: "stylesheet", href: projectStylesUrl },
  { rel: "stylesheet", href: roomStylesUrl },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data
      ? `Room · ${data.item.externalId} · ${data.project.name} · Quorum`
      : "Room · Quorum",
  },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return loadItemRoom(request, context, params);
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  return roomAction(request, context, params);
}

export default function ItemRoomPage() {
  const data = useLoaderData<typeof loader>();
  // Keyed by item: another room is another document and another connection.
  return (
    <ContentFormatsProvider formats={data.contentFormats}>
      <ItemRoom key={data.docName} data={data} />
    </ContentFormatsProvider>
  );
}
